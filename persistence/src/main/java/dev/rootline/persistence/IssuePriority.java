package dev.rootline.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How urgent an issue is, from frequency, affected requests, severity and recency:
 *
 * <pre>
 * priority = (0.25 + 0.75 * severity)                       severity in [0, 1]
 *          * ( ln(1 + occurrences)                          how often, all in all
 *            + 0.5 * ln(1 + affectedRequests)               how many calls it touched
 *            + ln(1 + occurrences per hour) )               how frequent while it lasted,
 *                                                           over max(1 h, last - first seen)
 *          * 2^(-(now - lastSeen) / halfLife)               recency: halves every half-life
 * </pre>
 *
 * Logarithms keep one noisy issue from burying the rest; a severity of 0 still ranks by volume.
 * Recency needs "now", so the priority is computed when read, never stored.
 *
 * @param halfLife how long after its last occurrence an issue's priority halves
 */
public record IssuePriority(Duration halfLife) {

  public static final String PATH = "rootline.persistence.issues.priority-half-life";
  private static final double HOUR_MILLIS = 3_600_000.0;

  public IssuePriority {
    if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
      throw new IllegalArgumentException("priority-half-life must be positive: " + halfLife);
    }
  }

  /** Reads {@value #PATH} from the whole config. */
  public static IssuePriority create(Config config) {
    return new IssuePriority(config.getDuration(PATH));
  }

  public double of(
      double severity,
      long occurrences,
      long affectedRequests,
      long firstSeenMillis,
      long lastSeenMillis,
      long nowMillis) {
    double s = Double.isFinite(severity) ? Math.max(0, Math.min(1, severity)) : 0;
    long n = Math.max(0, occurrences);
    double hours = Math.max(1.0, (lastSeenMillis - firstSeenMillis) / HOUR_MILLIS);
    double volume =
        Math.log1p(n) + 0.5 * Math.log1p(Math.max(0, affectedRequests)) + Math.log1p(n / hours);
    double age = Math.max(0, nowMillis - lastSeenMillis);
    double recency = Math.pow(2, -age / halfLife.toMillis());
    return (0.25 + 0.75 * s) * volume * recency;
  }
}
