package dev.rootline.persistence;

/** Events of the event-sourced {@code Trace} entity (persistence id "Trace|traceId"). */
public sealed interface TraceEvent extends CborSerializable {

  /** Tag on every trace event; the read-side projection follows it. */
  String TAG = "trace";

  /** The tail-based decision kept this trace. */
  record TraceRetained(RetainedTrace trace) implements TraceEvent {}
}
