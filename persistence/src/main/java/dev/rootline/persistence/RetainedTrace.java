package dev.rootline.persistence;

import java.util.Comparator;
import java.util.List;

/**
 * A completed trace that the decision kept: its spans and why it was kept.
 *
 * @param traceId 32 lowercase hex chars
 * @param spans every span of the trace, in start order
 * @param anomalyScore the model's anomaly score in [0, 1] (0 when no model was ready yet)
 * @param reasons why it was retained, in words ("status 500 from python3:8082", ...)
 * @param decidedAtEpochMillis when the decision was made
 * @param verdict why it was kept in one word: "failure" (rules), "anomaly" (model), "baseline"
 *     (a sampled normal trace, kept so that anomalies can be compared with normal traffic)
 * @param issueId the issue this trace is an occurrence of, or null (baseline samples)
 * @param rootCauses ranked root-cause candidates of this trace, most likely first (empty for
 *     baseline samples); their probabilities sum to 1
 */
public record RetainedTrace(
    String traceId,
    List<Span> spans,
    double anomalyScore,
    List<String> reasons,
    long decidedAtEpochMillis,
    String verdict,
    String issueId,
    List<RootCause> rootCauses)
    implements CborSerializable {

  public static final String FAILURE = "failure";
  public static final String ANOMALY = "anomaly";
  public static final String BASELINE = "baseline";

  public RetainedTrace {
    spans = List.copyOf(spans);
    reasons = List.copyOf(reasons);
    // Events written before verdicts existed read back without one: they were failures or anomalies.
    verdict = verdict == null ? ANOMALY : verdict;
    rootCauses = rootCauses == null ? List.of() : List.copyOf(rootCauses);
  }

  /** A retained trace without verdict, issue or root causes (tests, events of older versions). */
  public RetainedTrace(
      String traceId,
      List<Span> spans,
      double anomalyScore,
      List<String> reasons,
      long decidedAtEpochMillis) {
    this(traceId, spans, anomalyScore, reasons, decidedAtEpochMillis, null, null, null);
  }

  /**
   * The root span: the earliest one without a parent inside this trace. When every span names a
   * parent inside the trace (a cycle, which only bad input can make), the earliest span stands in.
   *
   * @throws java.util.NoSuchElementException when the trace has no span at all
   */
  public Span root() {
    var ids = spans.stream().map(Span::spanId).collect(java.util.stream.Collectors.toSet());
    Comparator<Span> byStart = Comparator.comparingLong(Span::startEpochNanos);
    return spans.stream()
        .filter(s -> s.parentSpanId() == null || !ids.contains(s.parentSpanId()))
        .min(byStart)
        .or(() -> spans.stream().min(byStart))
        .orElseThrow();
  }

  public TraceSummary summary() {
    Span root = root();
    long start = spans.stream().mapToLong(Span::startEpochNanos).min().orElse(root.startEpochNanos());
    long end = spans.stream().mapToLong(Span::endEpochNanos).max().orElse(root.endEpochNanos());
    List<String> services = spans.stream().map(Span::service).distinct().sorted().toList();
    return new TraceSummary(
        traceId,
        start,
        end - start,
        root.service(),
        root.method(),
        root.path(),
        root.status(),
        spans.size(),
        services,
        anomalyScore,
        reasons,
        decidedAtEpochMillis);
  }
}
