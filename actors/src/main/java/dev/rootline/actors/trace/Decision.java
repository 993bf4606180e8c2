package dev.rootline.actors.trace;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.RootCause;
import java.util.List;

/**
 * What the scorer decided about a completed trace.
 *
 * @param retain keep it (persist) rather than only count it
 * @param anomalyScore the endpoint model's score in [0, 1], 0 when no model was ready
 * @param reasons why it is retained, in words; empty when it is not
 * @param modelVersion the version of the endpoint model that scored it, 0 when none
 * @param verdict "failure", "anomaly", "baseline" (a sampled normal trace) or "normal"
 * @param fingerprint the issue this trace is an occurrence of (failures and anomalies), or null
 * @param issueTitle a one-line title for that issue, or null
 * @param severity how bad this occurrence is, in [0, 1] (0 for normal traces)
 * @param rootCauses ranked candidates, most likely first, probabilities summing to 1; empty for
 *     normal and baseline traces
 */
public record Decision(
    boolean retain,
    double anomalyScore,
    List<String> reasons,
    long modelVersion,
    String verdict,
    String fingerprint,
    String issueTitle,
    double severity,
    List<RootCause> rootCauses)
    implements CborSerializable {

  public static final String NORMAL = "normal";

  public Decision {
    reasons = List.copyOf(reasons);
    rootCauses = rootCauses == null ? List.of() : List.copyOf(rootCauses);
  }

  /** A decision by rules and anomaly score alone: no issue, no ranking. */
  public Decision(boolean retain, double anomalyScore, List<String> reasons, long modelVersion) {
    this(
        retain,
        anomalyScore,
        reasons,
        modelVersion,
        retain ? dev.rootline.persistence.RetainedTrace.ANOMALY : NORMAL,
        null,
        null,
        0,
        List.of());
  }
}
