package dev.rootline.actors.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The evidence of the recent anomalous and failing traces: what a ranking compares a candidate
 * across. Bounded by count and by event-time age.
 */
public final class AnomalyWindow {

  private final int capacity;
  private final long maxAgeNanos;
  private final Deque<TraceEvidence> recent = new ArrayDeque<>();

  public AnomalyWindow(int capacity, Duration maxAge) {
    this.capacity = capacity;
    this.maxAgeNanos = maxAge.toNanos();
  }

  public void add(TraceEvidence evidence) {
    recent.addLast(evidence);
    while (recent.size() > capacity) {
      recent.removeFirst();
    }
    long newest = evidence.startNanos();
    while (!recent.isEmpty() && newest - recent.peekFirst().startNanos() > maxAgeNanos) {
      recent.removeFirst();
    }
  }

  public Iterable<TraceEvidence> traces() {
    return recent;
  }

  public int size() {
    return recent.size();
  }
}
