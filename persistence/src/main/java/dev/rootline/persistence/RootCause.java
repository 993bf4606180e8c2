package dev.rootline.persistence;

import java.util.List;

/**
 * One ranked root-cause candidate of an anomalous trace or of an issue.
 *
 * @param level what kind of thing the candidate is
 * @param subject the candidate itself, e.g. "host-b", "cart:8083", "cart:8083 POST /checkout",
 *     "item=42 on frontend:8081 GET /checkout"
 * @param service the service the candidate lies in, or null for a host
 * @param host the host the candidate lies on, or null when it is not tied to one host
 * @param probability the probability that this candidate is the root cause; the probabilities of
 *     one ranking sum to 1
 * @param evidence why, in words, strongest first ("p99 self time of cart:8083 rose from 4 ms to
 *     310 ms, on host-b only")
 * @param features the evidence vector the ranker scored (see {@code CandidateEvidence.NAMES}), or
 *     null when not known (an issue's tally, data written before it existed). It travels with an
 *     occurrence so that feedback on the issue can become labelled training rows; the API does not
 *     show it.
 */
public record RootCause(
    Level level,
    String subject,
    String service,
    String host,
    double probability,
    List<String> evidence,
    double[] features)
    implements CborSerializable {

  public enum Level {
    HOST,
    SERVICE,
    ENDPOINT,
    ATTRIBUTE
  }

  public RootCause {
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
    features = features == null ? null : features.clone();
  }

  /** A candidate without its evidence vector. */
  public RootCause(
      Level level, String subject, String service, String host, double probability, List<String> evidence) {
    this(level, subject, service, host, probability, evidence, null);
  }

  /** "LEVEL|subject": identifies a candidate across traces, rankings and feedback. */
  public String key() {
    return level.name() + "|" + subject;
  }

  @Override
  public double[] features() {
    return features == null ? null : features.clone();
  }

  // Records compare arrays by identity: compare the vector's values instead.
  @Override
  public boolean equals(Object o) {
    return o instanceof RootCause r
        && level == r.level
        && java.util.Objects.equals(subject, r.subject)
        && java.util.Objects.equals(service, r.service)
        && java.util.Objects.equals(host, r.host)
        && Double.compare(probability, r.probability) == 0
        && evidence.equals(r.evidence)
        && java.util.Arrays.equals(features, r.features);
  }

  @Override
  public String toString() {
    return "RootCause[" + level + " " + subject + ", service=" + service + ", host=" + host + ", probability="
        + probability + ", evidence=" + evidence + ", features=" + java.util.Arrays.toString(features) + "]";
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(level, subject, service, host, probability, evidence)
        + 31 * java.util.Arrays.hashCode(features);
  }
}
