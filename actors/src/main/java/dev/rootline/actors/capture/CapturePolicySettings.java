package dev.rootline.actors.capture;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Tunables of capture-policy enforcement, read from {@code rootline.actors.capture.policy}
 * (defaults documented in {@code capture.conf}).
 *
 * @param deadPidCheckInterval how often the probe forgets processes whose {@code /proc/<pid>} is
 *     gone and clears their kernel policy (a pid reused within this time inherits the policy), and
 *     looks in {@code /proc} for the processes of policed services it knows none of
 * @param procScanMaxProcesses a {@code /proc} scan reads the names of at most this many processes
 * @param procScanMaxFdsPerProcess it reads at most this many fd links of one process
 * @param procScanMaxSocketLines it reads at most this many lines of one socket table ({@code
 *     net/tcp}, {@code net/tcp6}) of one network namespace
 */
public record CapturePolicySettings(
    Duration deadPidCheckInterval,
    int procScanMaxProcesses,
    int procScanMaxFdsPerProcess,
    int procScanMaxSocketLines) {

  public static final String CONFIG_PATH = CaptureAssemblySettings.CONFIG_PATH + ".policy";

  /** The defaults of capture.conf, for probes created without a config. */
  public static final CapturePolicySettings DEFAULT = new CapturePolicySettings(Duration.ofSeconds(5));

  public CapturePolicySettings {
    if (deadPidCheckInterval == null || deadPidCheckInterval.isZero() || deadPidCheckInterval.isNegative()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".dead-pid-check-interval must be positive");
    }
    if (procScanMaxProcesses <= 0) {
      throw new IllegalArgumentException(CONFIG_PATH + ".proc-scan.max-processes must be positive");
    }
    if (procScanMaxFdsPerProcess <= 0) {
      throw new IllegalArgumentException(CONFIG_PATH + ".proc-scan.max-fds-per-process must be positive");
    }
    if (procScanMaxSocketLines <= 0) {
      throw new IllegalArgumentException(CONFIG_PATH + ".proc-scan.max-socket-lines must be positive");
    }
  }

  /** With the default bounds of a {@code /proc} scan. */
  public CapturePolicySettings(Duration deadPidCheckInterval) {
    this(deadPidCheckInterval, 32768, 65536, 200_000);
  }

  /** Reads {@code rootline.actors.capture.policy} from a full config (include capture.conf). */
  public static CapturePolicySettings create(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new CapturePolicySettings(
        c.getDuration("dead-pid-check-interval"),
        c.getInt("proc-scan.max-processes"),
        c.getInt("proc-scan.max-fds-per-process"),
        c.getInt("proc-scan.max-socket-lines"));
  }
}
