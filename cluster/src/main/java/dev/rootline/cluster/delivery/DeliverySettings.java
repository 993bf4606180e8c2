package dev.rootline.cluster.delivery;

import com.typesafe.config.Config;
import java.time.Duration;

/** Typed view of {@code rootline.cluster.delivery} (defaults and meaning in reference.conf). */
public record DeliverySettings(
    Duration batchQuietPeriod,
    Duration batchMaxAge,
    int batchMaxSpans,
    int maxBufferedSpans,
    int maxQueuedBatches,
    int maxUnconfirmedSpans,
    Duration flushInterval,
    int producerBufferSize,
    Duration resendFirstUnconfirmedIdleTimeout,
    Duration resendFirstInterval,
    Duration cleanupUnusedAfter) {

  public static final String PATH = "rootline.cluster.delivery";

  public DeliverySettings {
    positive("batch-quiet-period", batchQuietPeriod);
    positive("batch-max-age", batchMaxAge);
    positive("flush-interval", flushInterval);
    positive("resend-first-unconfirmed-idle-timeout", resendFirstUnconfirmedIdleTimeout);
    positive("resend-first-interval", resendFirstInterval);
    positive("cleanup-unused-after", cleanupUnusedAfter);
    atLeast("batch-max-spans", batchMaxSpans, 1);
    atLeast("max-buffered-spans", maxBufferedSpans, 1);
    atLeast("max-queued-batches", maxQueuedBatches, 1);
    atLeast("max-unconfirmed-spans", maxUnconfirmedSpans, 2);
    atLeast("producer-buffer-size", producerBufferSize, 4);
  }

  public static DeliverySettings create(Config config) {
    Config c = config.getConfig(PATH);
    return new DeliverySettings(
        c.getDuration("batch-quiet-period"),
        c.getDuration("batch-max-age"),
        c.getInt("batch-max-spans"),
        c.getInt("max-buffered-spans"),
        c.getInt("max-queued-batches"),
        c.getInt("max-unconfirmed-spans"),
        c.getDuration("flush-interval"),
        c.getInt("producer-buffer-size"),
        c.getDuration("resend-first-unconfirmed-idle-timeout"),
        c.getDuration("resend-first-interval"),
        c.getDuration("cleanup-unused-after"));
  }

  private static void positive(String key, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be positive: " + d);
    }
  }

  private static void atLeast(String key, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(PATH + "." + key + " must be at least " + min + ": " + value);
    }
  }
}
