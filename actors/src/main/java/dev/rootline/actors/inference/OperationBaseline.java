package dev.rootline.actors.inference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The normal behaviour of one operation (service + method + path template), learnt incrementally
 * with bounded memory: self-time and duration sketches, how often it calls each child operation
 * (a decayed histogram of per-call counts), its error rate and the hosts it runs on. Every count
 * decays with the same half-life, so the baseline follows a slowly drifting normal. Not
 * thread-safe: one judge owns it.
 */
public final class OperationBaseline {

  /** Per-call counts of a child operation above this are counted together. */
  static final int MAX_COUNT = 8;

  private final LatencySketch self;
  private final LatencySketch duration;
  private final int halfLife;
  private final int maxChildren;
  private final int maxHosts;
  private final Map<String, double[]> childCounts = new LinkedHashMap<>();
  private final Map<String, Double> hosts = new LinkedHashMap<>();
  private double calls;
  private double errors;
  private int sinceDecay;

  public OperationBaseline(int halfLife, int maxChildren, int maxHosts) {
    this.self = new LatencySketch(halfLife);
    this.duration = new LatencySketch(halfLife);
    this.halfLife = halfLife;
    this.maxChildren = maxChildren;
    this.maxHosts = maxHosts;
  }

  /** Learns one normal call of this operation. */
  public void add(long selfNanos, long durationNanos, Map<String, Integer> children, String host,
      boolean failed) {
    self.add(selfNanos);
    duration.add(durationNanos);
    for (var e : childCounts.entrySet()) {
      e.getValue()[Math.min(MAX_COUNT, children.getOrDefault(e.getKey(), 0))]++;
    }
    for (var e : children.entrySet()) {
      if (!childCounts.containsKey(e.getKey()) && childCounts.size() < maxChildren) {
        double[] hist = new double[MAX_COUNT + 1];
        // Every earlier call made it zero times.
        hist[0] = calls;
        hist[Math.min(MAX_COUNT, e.getValue())]++;
        childCounts.put(e.getKey(), hist);
      }
    }
    if (host != null && (hosts.containsKey(host) || hosts.size() < maxHosts)) {
      hosts.merge(host, 1.0, Double::sum);
    }
    calls++;
    if (failed) {
      errors++;
    }
    if (++sinceDecay >= halfLife) {
      sinceDecay = 0;
      calls *= 0.5;
      errors *= 0.5;
      childCounts.values().forEach(h -> {
        for (int i = 0; i < h.length; i++) {
          h[i] *= 0.5;
        }
      });
      hosts.replaceAll((h, c) -> c * 0.5);
    }
  }

  /** Recency-weighted number of calls learnt. */
  public double calls() {
    return calls;
  }

  public LatencySketch self() {
    return self;
  }

  public LatencySketch duration() {
    return duration;
  }

  public double errorRate() {
    return calls <= 0 ? 0 : errors / calls;
  }

  /** Hosts this operation was seen on (at most the configured number). */
  public int hostCount() {
    return hosts.size();
  }

  public int trackedChildren() {
    return childCounts.size();
  }

  /** How rare it is, in this baseline, that one call makes {@code count} calls to {@code child}. */
  public double childCountShare(String child, int count) {
    double[] hist = childCounts.get(child);
    if (hist == null) {
      return calls <= 0 ? 1.0 : 0.0;
    }
    return calls <= 0 ? 1.0 : hist[Math.min(MAX_COUNT, count)] / calls;
  }

  /** Whether {@code child} is tracked (known as a child, or the cap was reached). */
  public boolean knowsChild(String child) {
    return childCounts.containsKey(child) || childCounts.size() >= maxChildren;
  }

  /**
   * Whether {@code count} calls to {@code child} lie within the range of counts seen (a loop that
   * ran 3 times where 2 and 5 were seen is no change of structure, 0 or 9 would be).
   */
  public boolean withinSeenRange(String child, int count) {
    double[] hist = childCounts.get(child);
    if (hist == null) {
      return false;
    }
    int c = Math.min(MAX_COUNT, count);
    int low = -1;
    int high = -1;
    for (int i = 0; i < hist.length; i++) {
      if (hist[i] >= 0.5) {
        low = low < 0 ? i : low;
        high = i;
      }
    }
    return low >= 0 && c >= low && c <= high;
  }

  /** The usual number of calls to {@code child} per call of this operation. */
  public int usualChildCount(String child) {
    double[] hist = childCounts.get(child);
    if (hist == null) {
      return 0;
    }
    int best = 0;
    for (int i = 1; i < hist.length; i++) {
      if (hist[i] > hist[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The known child operations (a view; do not modify). */
  public Iterable<String> children() {
    return childCounts.keySet();
  }
}
