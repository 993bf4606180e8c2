package dev.rootline.actors.feedback;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Bounds of the policy tuner: {@code rootline.actors.feedback.tuner} (defaults and meaning in
 * this module's reference.conf).
 */
public record TunerSettings(
    boolean enabled,
    double boostNormalShare,
    int boostPayloadBytes,
    Duration boostFor,
    double thresholdStep,
    double minThreshold,
    double maxThreshold) {

  public TunerSettings {
    if (!(boostNormalShare >= 0 && boostNormalShare <= 1)) {
      throw new IllegalArgumentException("boost-normal-share must be in [0, 1]: " + boostNormalShare);
    }
    if (boostPayloadBytes < 0 || boostPayloadBytes > dev.rootline.persistence.policy.CapturePolicy.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("boost-payload-bytes must be in [0, 4096]: " + boostPayloadBytes);
    }
    if (boostFor == null || boostFor.isNegative() || boostFor.isZero()) {
      throw new IllegalArgumentException("boost-for must be positive: " + boostFor);
    }
    if (!(thresholdStep > 0 && thresholdStep <= 1)) {
      throw new IllegalArgumentException("threshold-step must be in (0, 1]: " + thresholdStep);
    }
    if (!(minThreshold >= 0 && minThreshold <= maxThreshold && maxThreshold <= 1)) {
      throw new IllegalArgumentException(
          "need 0 <= min-threshold <= max-threshold <= 1: " + minThreshold + ", " + maxThreshold);
    }
  }

  public static TunerSettings create(Config config) {
    Config c = config.getConfig("rootline.actors.feedback.tuner");
    return new TunerSettings(
        c.getBoolean("enabled"),
        c.getDouble("boost-normal-share"),
        c.getInt("boost-payload-bytes"),
        c.getDuration("boost-for"),
        c.getDouble("threshold-step"),
        c.getDouble("min-threshold"),
        c.getDouble("max-threshold"));
  }
}
