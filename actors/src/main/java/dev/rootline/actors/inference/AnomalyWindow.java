package dev.rootline.actors.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The evidence of the recent anomalous and failing traces: what a ranking compares a candidate
 * across. Bounded by count and by event-time age. Per-candidate sums are kept up to date as
 * traces enter and leave, so reading a candidate's evidence costs the same however full the
 * window is.
 */
public final class AnomalyWindow {

  /** One candidate's sums over the traces in the window. */
  public static final class Sums {
    int through;
    double origin;
    int slowest;
    int structural;
    int errorOrigin;
    double excess;
    final Map<String, Integer> deviationHosts = new HashMap<>(2);
    String words;
    boolean wordsFromOrigin;

    public int through() {
      return through;
    }
  }

  private final int capacity;
  private final long maxAgeNanos;
  private final Deque<TraceEvidence> recent = new ArrayDeque<>();
  private final Map<String, Sums> sums = new HashMap<>();

  public AnomalyWindow(int capacity, Duration maxAge) {
    this.capacity = capacity;
    this.maxAgeNanos = maxAge.toNanos();
  }

  public void add(TraceEvidence evidence) {
    recent.addLast(evidence);
    apply(evidence, +1);
    while (recent.size() > capacity) {
      apply(recent.removeFirst(), -1);
    }
    long newest = evidence.startNanos();
    while (!recent.isEmpty() && newest - recent.peekFirst().startNanos() > maxAgeNanos) {
      apply(recent.removeFirst(), -1);
    }
  }

  private void apply(TraceEvidence t, int sign) {
    for (String key : t.candidates().keySet()) {
      Sums s = sums.computeIfAbsent(key, k -> new Sums());
      s.through += sign;
      s.origin += sign * t.originCredit(key);
      s.slowest += t.isSlowest(key) ? sign : 0;
      s.structural += t.isStructural(key) ? sign : 0;
      s.errorOrigin += t.isErrorOrigin(key) ? sign : 0;
      s.excess += sign * Math.min(CandidateEvidence.MAX_EXCESS, t.excess(key));
      String h = t.deviationHost(key);
      if (h != null) {
        s.deviationHosts.merge(h, sign, Integer::sum);
        s.deviationHosts.values().removeIf(v -> v <= 0);
      }
      String w = t.words(key);
      if (sign > 0 && w != null && (s.words == null || t.isOrigin(key) || !s.wordsFromOrigin)) {
        s.words = w;
        s.wordsFromOrigin = t.isOrigin(key);
      }
      if (s.through <= 0) {
        sums.remove(key);
      }
    }
  }

  /** The candidate's sums, or null when no trace in the window went through it. */
  public Sums sums(String key) {
    return sums.get(key);
  }

  public Iterable<TraceEvidence> traces() {
    return recent;
  }

  public int size() {
    return recent.size();
  }
}
