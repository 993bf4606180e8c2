package dev.rootline.node.imports;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/** Typed view of {@code rootline.node.import} (defaults in {@code rootline-import.conf}). */
public record ImportSettings(
    int maxSpans,
    Duration quietPeriod,
    int traceMaxSpans,
    int inFlight,
    Duration persistTimeout,
    int persistAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    Duration progressInterval,
    Duration catchUpTimeout) {

  public static final String PATH = "rootline.node.import";
  static final String DEFAULTS = "rootline-import.conf";

  public ImportSettings {
    if (maxSpans < 1 || traceMaxSpans < 1 || inFlight < 1 || persistAttempts < 1) {
      throw new IllegalArgumentException(
          PATH + ": max-spans, trace-max-spans, in-flight and persist-attempts must be at least 1");
    }
    for (Duration d : new Duration[] {quietPeriod, persistTimeout, minBackoff, maxBackoff,
        progressInterval, catchUpTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(PATH + ": durations must be positive: " + d);
      }
    }
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(PATH + ".max-backoff must be >= min-backoff");
    }
  }

  /** {@code config} with the import's defaults underneath. */
  public static Config withDefaults(Config config) {
    return config.withFallback(ConfigFactory.parseResources(DEFAULTS)).resolve();
  }

  public static ImportSettings create(Config config) {
    Config c = withDefaults(config).getConfig(PATH);
    return new ImportSettings(
        c.getInt("max-spans"),
        c.getDuration("quiet-period"),
        c.getInt("trace-max-spans"),
        c.getInt("in-flight"),
        c.getDuration("persist-timeout"),
        c.getInt("persist-attempts"),
        c.getDuration("min-backoff"),
        c.getDuration("max-backoff"),
        c.getDuration("progress-interval"),
        c.getDuration("catch-up-timeout"));
  }

  /** Delay before retry {@code attempt} (1 = first retry): exponential, capped, up to +20% jitter. */
  public Duration backoff(int attempt, double random01) {
    double base = minBackoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    return Duration.ofMillis((long) (Math.min(base, maxBackoff.toMillis()) * (1 + 0.2 * random01)));
  }
}
