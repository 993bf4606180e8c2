package dev.rootline.actors.capture;

import java.util.function.LongSupplier;

/**
 * "Now" in event time, for the probe's idle ticks: the end of the newest event seen plus the
 * monotonic time that passed since it arrived.
 *
 * <p>Event times are the kernel's CLOCK_MONOTONIC shifted by an offset measured once when the
 * capture session opened. The wall clock is not that clock: once CLOCK_REALTIME is stepped (NTP,
 * a paused VM) it stays apart from event time for good. Ticking the assembler with it then moved
 * event time ahead of every event; 30 s ahead and every request "timed out" at the next scan,
 * which also ended the server request its thread was serving, so that thread's client calls
 * became roots of their own traces. Anchored on the events themselves, ticks can only lag event
 * time by the delivery delay of the newest event, never run ahead of it.
 */
final class EventClock {

  private final LongSupplier monotonicNanos;
  private long anchorEventNanos;
  private long anchorMonotonicNanos;
  private boolean started;

  /** @param monotonicNanos a clock that never jumps ({@code System::nanoTime}) */
  EventClock(LongSupplier monotonicNanos) {
    this.monotonicNanos = monotonicNanos;
  }

  /** An event ending at {@code endEpochNanos} arrived now. */
  void observed(long endEpochNanos) {
    if (!started || endEpochNanos > nowEpochNanos()) {
      anchorEventNanos = endEpochNanos;
      anchorMonotonicNanos = monotonicNanos.getAsLong();
      started = true;
    }
  }

  /** False until the first event: before it there is no event time to advance. */
  boolean started() {
    return started;
  }

  /** Event time now; only meaningful once {@link #started()}. */
  long nowEpochNanos() {
    return anchorEventNanos + Math.max(0, monotonicNanos.getAsLong() - anchorMonotonicNanos);
  }
}
