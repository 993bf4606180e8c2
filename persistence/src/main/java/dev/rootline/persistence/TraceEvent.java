package dev.rootline.persistence;

/** Events of the event-sourced {@code Trace} entity (persistence id "Trace|traceId"). */
public sealed interface TraceEvent extends CborSerializable {

  /** Tag on every trace event; the read-side projection follows it. */
  String TAG = "trace";

  /**
   * The tail-based decision kept this trace (again, when late spans made a new version).
   *
   * @param trace the retained version: every span recorded so far
   * @param replaces how the version before this one was listed, or null for the first version
   *     (and in events written before this field existed). The read side removes those list rows
   *     when this version is listed under another start time or other services, so a re-decided
   *     trace is listed once.
   */
  record TraceRetained(RetainedTrace trace, TraceListingKey replaces) implements TraceEvent {

    /** A first retained version (nothing listed before it). */
    public TraceRetained(RetainedTrace trace) {
      this(trace, null);
    }

    /** The version {@code trace} following {@code previous} (null: nothing retained before). */
    public static TraceRetained after(RetainedTrace previous, RetainedTrace trace) {
      return new TraceRetained(trace, previous == null ? null : TraceListingKey.of(previous));
    }
  }
}
