package dev.rootline.persistence;

import java.util.List;

/**
 * One retained trace that is an occurrence of an issue: what the trace entity tells the issue.
 *
 * @param issueId the decision's fingerprint
 * @param title the decision's one-line title for the issue
 * @param kind the trace's verdict ("failure" or "anomaly")
 * @param traceId the occurrence's trace (an issue counts a trace once)
 * @param atMillis when the trace was decided
 * @param severity how bad this occurrence is, in [0, 1]
 * @param anomalyScore the trace's anomaly score in [0, 1]
 * @param rootCauses this trace's ranked candidates, probabilities summing to 1 (may be empty)
 * @param host host of the trace's root span
 * @param service service of the trace's root span
 * @param endpoint "METHOD /path" of the trace's root span
 * @param requests requests (spans) in the trace: the calls this occurrence touched
 */
public record IssueOccurrence(
    String issueId,
    String title,
    String kind,
    String traceId,
    long atMillis,
    double severity,
    double anomalyScore,
    List<RootCause> rootCauses,
    String host,
    String service,
    String endpoint,
    int requests)
    implements CborSerializable {

  public IssueOccurrence {
    rootCauses = rootCauses == null ? List.of() : List.copyOf(rootCauses);
    // Out-of-range inputs must not skew the issue's severity or priority.
    severity = Double.isFinite(severity) ? Math.max(0, Math.min(1, severity)) : 0;
    anomalyScore = Double.isFinite(anomalyScore) ? Math.max(0, Math.min(1, anomalyScore)) : 0;
    requests = Math.max(0, requests);
  }

  /**
   * The occurrence a retained trace is, or null when the trace belongs to no issue (baseline
   * samples, decisions without a fingerprint, traces without spans).
   */
  public static IssueOccurrence of(RetainedTrace trace, String title, double severity) {
    if (trace.issueId() == null || trace.issueId().isBlank() || trace.spans().isEmpty()) {
      return null;
    }
    Span root = trace.root();
    String endpoint = root.method() + " " + root.path();
    return new IssueOccurrence(
        trace.issueId(),
        title == null || title.isBlank() ? trace.verdict() + " at " + root.service() + " " + endpoint : title,
        trace.verdict(),
        trace.traceId(),
        trace.decidedAtEpochMillis(),
        severity,
        trace.anomalyScore(),
        trace.rootCauses(),
        root.host(),
        root.service(),
        endpoint,
        trace.spans().size());
  }
}
