package dev.rootline.actors.capture;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Tunables of capture-policy enforcement, read from {@code rootline.actors.capture.policy}
 * (defaults documented in {@code capture.conf}).
 *
 * @param deadPidCheckInterval how often the probe forgets processes whose {@code /proc/<pid>} is
 *     gone and clears their kernel policy (a pid reused within this time inherits the policy)
 */
public record CapturePolicySettings(Duration deadPidCheckInterval) {

  public static final String CONFIG_PATH = CaptureAssemblySettings.CONFIG_PATH + ".policy";

  /** The defaults of capture.conf, for probes created without a config. */
  public static final CapturePolicySettings DEFAULT = new CapturePolicySettings(Duration.ofSeconds(5));

  public CapturePolicySettings {
    if (deadPidCheckInterval == null || deadPidCheckInterval.isZero() || deadPidCheckInterval.isNegative()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".dead-pid-check-interval must be positive");
    }
  }

  /** Reads {@code rootline.actors.capture.policy} from a full config (include capture.conf). */
  public static CapturePolicySettings create(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new CapturePolicySettings(c.getDuration("dead-pid-check-interval"));
  }
}
