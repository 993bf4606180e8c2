package dev.rootline.actors.stitch;

import dev.rootline.persistence.Span;

/** How a span looks once its trace was merged into another (see {@link ConnectionEntity}). */
public final class MergedSpans {

  private MergedSpans() {}

  /**
   * {@code span} in trace {@code intoTraceId}; the merged trace's root ({@code rootSpanId})
   * becomes the child of {@code rootParentSpanId}, every other span keeps its parent.
   */
  public static Span moved(
      Span span, String intoTraceId, String rootSpanId, String rootParentSpanId) {
    String parent = span.spanId().equals(rootSpanId) ? rootParentSpanId : span.parentSpanId();
    return new Span(
        intoTraceId,
        span.spanId(),
        parent,
        span.kind(),
        span.host(),
        span.service(),
        span.pid(),
        span.method(),
        span.path(),
        span.status(),
        span.startEpochNanos(),
        span.endEpochNanos(),
        span.requestBytes(),
        span.responseBytes(),
        span.localAddress(),
        span.peerAddress(),
        span.requestExcerpt(),
        span.responseExcerpt(),
        span.error());
  }
}
