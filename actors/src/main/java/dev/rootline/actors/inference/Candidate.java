package dev.rootline.actors.inference;

import dev.rootline.persistence.RootCause;

/**
 * A possible root cause before it is ranked: its level, subject and where it lies. {@link #key()}
 * identifies it across traces.
 */
public record Candidate(RootCause.Level level, String subject, String service, String host) {

  public String key() {
    return level.name() + "|" + subject;
  }

  public static Candidate host(String host) {
    return new Candidate(RootCause.Level.HOST, host, null, host);
  }

  public static Candidate service(String service) {
    return new Candidate(RootCause.Level.SERVICE, service, service, null);
  }

  public static Candidate endpoint(String service, String operation) {
    return new Candidate(RootCause.Level.ENDPOINT, operation, service, null);
  }

  public static Candidate attribute(String service, String attribute, String operation) {
    return new Candidate(RootCause.Level.ATTRIBUTE, attribute + " on " + operation, service, null);
  }
}
