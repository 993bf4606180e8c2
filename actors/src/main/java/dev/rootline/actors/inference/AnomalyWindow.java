package dev.rootline.actors.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The evidence of anomalous and failing traces, in two parts: the recent ones (bounded by count
 * and by event-time age), which a ranking is about, and the background (every older one, decaying
 * with a half-life of {@code backgroundHalfLife} traces), which says how often a candidate
 * deviates anyway. A candidate that is where deviations start now, but not usually, is a likely
 * cause; one that always looks odd is not.
 */
public final class AnomalyWindow {

  private final int capacity;
  private final long maxAgeNanos;
  private final int backgroundHalfLife;
  private final Deque<TraceEvidence> recent = new ArrayDeque<>();
  private final EvidenceSums recentSums;
  private final EvidenceSums background;
  private int sinceHalving;

  public AnomalyWindow(int capacity, Duration maxAge, int backgroundHalfLife, int maxCandidates) {
    this.capacity = capacity;
    this.maxAgeNanos = maxAge.toNanos();
    this.backgroundHalfLife = backgroundHalfLife;
    this.recentSums = new EvidenceSums(maxCandidates);
    this.background = new EvidenceSums(maxCandidates);
  }

  public void add(TraceEvidence evidence) {
    recent.addLast(evidence);
    recentSums.apply(evidence, +1);
    while (recent.size() > capacity) {
      retire(recent.removeFirst());
    }
    long newest = evidence.startNanos();
    while (!recent.isEmpty() && newest - recent.peekFirst().startNanos() > maxAgeNanos) {
      retire(recent.removeFirst());
    }
  }

  private void retire(TraceEvidence t) {
    recentSums.apply(t, -1);
    background.apply(t, +1);
    if (++sinceHalving >= backgroundHalfLife) {
      sinceHalving = 0;
      background.halve();
    }
  }

  public EvidenceSums recent() {
    return recentSums;
  }

  public EvidenceSums background() {
    return background;
  }

  public Iterable<TraceEvidence> traces() {
    return recent;
  }

  public int size() {
    return recent.size();
  }
}
