package dev.rootline.actors.capture;

/**
 * The trace context of one span while it is being assembled. A span knows its own id at once,
 * but its trace id may depend on another span: a client span made while its thread served a
 * server request inherits that server span's trace, and a server span stitched to a local client
 * span inherits the client's. A server span with nothing to go on waits a short grace for its
 * client to show up before it starts a trace of its own.
 */
final class TraceLink {

  /** Longest chain followed; only a bug could make a cycle, and then the span becomes a root. */
  private static final int MAX_DEPTH = 64;

  private final String spanId;
  private String traceId;
  private String parentSpanId;
  private TraceLink parent;
  private boolean undecided;
  private long graceDeadlineNanos;

  TraceLink(String spanId) {
    this.spanId = spanId;
  }

  String spanId() {
    return spanId;
  }

  String parentSpanId() {
    return parentSpanId;
  }

  /** A new trace starts here. */
  void startTrace(String newTraceId) {
    traceId = newTraceId;
    parent = null;
    parentSpanId = null;
    undecided = false;
  }

  /** The request carried a W3C traceparent: it decides. */
  void continueTrace(TraceParent header) {
    traceId = header.traceId();
    parent = null;
    parentSpanId = header.parentSpanId();
    undecided = false;
  }

  /** A child of another span assembled here; its trace id may not be known yet. */
  void childOf(TraceLink parentLink) {
    parent = parentLink;
    parentSpanId = parentLink.spanId;
    traceId = null;
    undecided = false;
  }

  /** Waits until {@code deadlineNanos} (event time) for a parent to be stitched in. */
  void awaitParent(long deadlineNanos) {
    undecided = true;
    graceDeadlineNanos = deadlineNanos;
  }

  boolean isUndecided() {
    return undecided;
  }

  long graceDeadlineNanos() {
    return graceDeadlineNanos;
  }

  /**
   * The link whose decision this one's trace id waits for (itself or an ancestor still waiting for
   * a parent), or null when the trace id is known or the chain is too long to follow.
   */
  TraceLink blocker() {
    TraceLink l = this;
    for (int depth = 0; depth < MAX_DEPTH && l != null; depth++) {
      if (l.traceId != null) {
        return null;
      }
      if (l.undecided) {
        return l;
      }
      l = l.parent;
    }
    return null;
  }

  /** The trace id, or null while this span or one of its ancestors still waits for a parent. */
  String traceId() {
    if (traceId != null) {
      return traceId;
    }
    TraceLink l = this;
    for (int depth = 0; depth < MAX_DEPTH && l != null; depth++) {
      if (l.traceId != null) {
        traceId = l.traceId; // fixed once known: roots never change their trace id
        return traceId;
      }
      if (l.undecided) {
        return null;
      }
      l = l.parent;
    }
    return null;
  }
}
