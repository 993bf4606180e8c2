package dev.rootline.actors.trace;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A trace the entity considers complete (quiet, too long or too big): its spans in start order,
 * the endpoint it belongs to and the features the scorer uses.
 */
public record CompletedTrace(
    String traceId, List<Span> spans, String endpoint, TraceFeatures features)
    implements CborSerializable {

  public CompletedTrace {
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("a completed trace has at least one span: " + traceId);
    }
    spans = List.copyOf(spans);
  }

  public static CompletedTrace of(String traceId, List<Span> spans) {
    List<Span> ordered =
        spans.stream()
            .sorted(Comparator.comparingLong(Span::startEpochNanos).thenComparing(Span::spanId))
            .toList();
    return new CompletedTrace(
        traceId, ordered, Endpoint.of(rootOf(ordered)), TraceFeatures.of(ordered));
  }

  /** The span without a parent inside this trace, earliest first (same rule as RetainedTrace). */
  @JsonIgnore
  public Span root() {
    return rootOf(spans);
  }

  /** This trace as kept by {@code decision}, with the score and reasons of every decision so far. */
  public RetainedTrace retained(
      Decision decision, double anomalyScore, List<String> reasons, long decidedAtMillis) {
    String verdict = Decision.NORMAL.equals(decision.verdict()) ? RetainedTrace.ANOMALY : decision.verdict();
    return new RetainedTrace(
        traceId,
        spans,
        anomalyScore,
        reasons,
        decidedAtMillis,
        verdict,
        decision.fingerprint(),
        decision.rootCauses());
  }

  private static Span rootOf(List<Span> ordered) {
    Set<String> ids = ordered.stream().map(Span::spanId).collect(Collectors.toSet());
    return ordered.stream()
        .filter(s -> s.parentSpanId() == null || !ids.contains(s.parentSpanId()))
        .findFirst()
        .orElse(ordered.get(0));
  }
}
