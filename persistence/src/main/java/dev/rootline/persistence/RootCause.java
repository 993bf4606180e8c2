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
 */
public record RootCause(
    Level level,
    String subject,
    String service,
    String host,
    double probability,
    List<String> evidence)
    implements CborSerializable {

  public enum Level {
    HOST,
    SERVICE,
    ENDPOINT,
    ATTRIBUTE
  }

  public RootCause {
    evidence = evidence == null ? List.of() : List.copyOf(evidence);
  }
}
