package dev.rootline.actors.trace;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the tail-based decision, read from {@code rootline.actors.trace} (defaults and their
 * meaning in this module's reference.conf).
 */
public record TraceSettings(
    Duration quietPeriod,
    Duration maxDuration,
    int maxSpans,
    Duration linger,
    Duration decideTimeout,
    Duration persistTimeout,
    Duration persistMinBackoff,
    Duration persistMaxBackoff,
    double persistRandomFactor,
    int statsMaxEndpoints,
    ScorerSettings scorer) {

  public static final String PATH = "rootline.actors.trace";
  public static final String SCORER_DISPATCHER = PATH + ".scorer-dispatcher";
  public static final String TRAINING_DISPATCHER = PATH + ".training-dispatcher";

  public TraceSettings {
    requirePositive("quiet-period", quietPeriod);
    requirePositive("max-duration", maxDuration);
    requirePositive("linger", linger);
    requirePositive("decide-timeout", decideTimeout);
    requirePositive("persist-timeout", persistTimeout);
    requirePositive("persist-retry.min-backoff", persistMinBackoff);
    if (persistMaxBackoff.compareTo(persistMinBackoff) < 0) {
      throw new IllegalArgumentException("persist-retry.max-backoff must be >= min-backoff");
    }
    if (maxSpans < 1) {
      throw new IllegalArgumentException("max-spans must be at least 1: " + maxSpans);
    }
    if (persistRandomFactor < 0 || persistRandomFactor > 1) {
      throw new IllegalArgumentException("persist-retry.random-factor must be in [0, 1]");
    }
    if (statsMaxEndpoints < 1) {
      throw new IllegalArgumentException("stats.max-endpoints must be at least 1");
    }
  }

  /** Reads {@code rootline.actors.trace} from the whole config (e.g. {@code system.settings().config()}). */
  public static TraceSettings create(Config config) {
    Config c = config.getConfig(PATH);
    return new TraceSettings(
        c.getDuration("quiet-period"),
        c.getDuration("max-duration"),
        c.getInt("max-spans"),
        c.getDuration("linger"),
        c.getDuration("decide-timeout"),
        c.getDuration("persist-timeout"),
        c.getDuration("persist-retry.min-backoff"),
        c.getDuration("persist-retry.max-backoff"),
        c.getDouble("persist-retry.random-factor"),
        c.getInt("stats.max-endpoints"),
        ScorerSettings.create(c.getConfig("scorer")));
  }

  /** The delay before persist attempt {@code attempt} (1 = first retry): exponential, capped, jittered. */
  public Duration persistBackoff(int attempt, double random01) {
    double base = persistMinBackoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
    double capped = Math.min(base, persistMaxBackoff.toMillis());
    return Duration.ofMillis((long) (capped * (1.0 + persistRandomFactor * random01)));
  }

  private static void requirePositive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be positive: " + d);
    }
  }
}
