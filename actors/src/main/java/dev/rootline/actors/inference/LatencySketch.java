package dev.rootline.actors.inference;

/**
 * A bounded, decaying latency distribution: counts in log-spaced buckets (each 15% wider than the
 * one before, 1 µs to ~20 min), so any quantile is known to within 15% whatever the traffic. Old
 * observations fade: every {@code halfLife} observations all counts are halved, so the sketch
 * follows a drifting normal without a window of raw values. Fixed size (~1.3 KB), not thread-safe.
 */
public final class LatencySketch {

  static final double GROWTH = 1.15;
  static final int BUCKETS = 150;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final double MIN_NANOS = 1_000;

  private final double[] counts = new double[BUCKETS];
  private final int halfLife;
  private double total;
  private int sinceDecay;

  public LatencySketch(int halfLife) {
    if (halfLife < 2) {
      throw new IllegalArgumentException("halfLife must be at least 2: " + halfLife);
    }
    this.halfLife = halfLife;
  }

  public void add(long nanos) {
    counts[bucket(nanos)]++;
    total++;
    if (++sinceDecay >= halfLife) {
      sinceDecay = 0;
      total = 0;
      for (int i = 0; i < BUCKETS; i++) {
        counts[i] *= 0.5;
        total += counts[i];
      }
    }
  }

  /** Observations weighted by recency (the decayed count). */
  public double weight() {
    return total;
  }

  /** The {@code q} quantile (0..1) in nanoseconds: the upper edge of the bucket reaching it. */
  public long quantile(double q) {
    if (total <= 0) {
      return 0;
    }
    double target = q * total;
    double seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= target && counts[i] > 0) {
        return upperEdge(i);
      }
    }
    return upperEdge(BUCKETS - 1);
  }

  /** The (recency-weighted) share of observations at or above {@code nanos}'s bucket. */
  public double shareAtOrAbove(long nanos) {
    if (total <= 0) {
      return 1.0;
    }
    double above = 0;
    for (int i = bucket(nanos); i < BUCKETS; i++) {
      above += counts[i];
    }
    return above / total;
  }

  /** The (recency-weighted) share of observations at or below {@code nanos}'s bucket. */
  public double shareAtOrBelow(long nanos) {
    if (total <= 0) {
      return 1.0;
    }
    double below = 0;
    for (int i = 0; i <= bucket(nanos); i++) {
      below += counts[i];
    }
    return below / total;
  }

  static int bucket(long nanos) {
    if (nanos <= MIN_NANOS) {
      return 0;
    }
    int b = 1 + (int) (Math.log(nanos / MIN_NANOS) / LOG_GROWTH);
    return Math.min(b, BUCKETS - 1);
  }

  static long upperEdge(int bucket) {
    return (long) (MIN_NANOS * Math.pow(GROWTH, bucket));
  }
}
