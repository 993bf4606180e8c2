package dev.rootline.bpf;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * Typed view of {@code rootline.bpf} (see reference.conf for every key and its default).
 *
 * @param payloadBytes bytes of payload prefix copied per syscall, 0..{@value
 *     EventDecoder#MAX_PAYLOAD_BYTES}
 * @param ringBufferBytes kernel ring buffer size, a power of two from 4 KiB to 1 GiB
 * @param pollBatchBytes direct buffer drained per poll, at least {@link
 *     EventDecoder#MAX_RECORD_BYTES}
 * @param pollInterval how often the session's owner should poll
 * @param targetMode which processes are captured
 * @param targetPids pids added at open (mode pids)
 * @param targetCgroupPaths cgroup v2 directories added at open (mode cgroups)
 * @param targetNetnsPaths network namespace files added at open (mode netns); empty means the
 *     node's own namespace ({@value #OWN_NETNS})
 * @param handover whether the capture outlives this process for the next one (off by default)
 */
public record CaptureSettings(
    int payloadBytes,
    int ringBufferBytes,
    int pollBatchBytes,
    Duration pollInterval,
    TargetMode targetMode,
    List<Integer> targetPids,
    List<String> targetCgroupPaths,
    List<String> targetNetnsPaths,
    HandoverSettings handover) {

  public static final String PATH = "rootline.bpf";
  /** The namespace of the process that reads it: in mode netns, "this host". */
  public static final String OWN_NETNS = "/proc/self/ns/net";

  static final int MIN_RING_BYTES = 4096;
  static final int MAX_RING_BYTES = 1 << 30;

  public CaptureSettings {
    if (payloadBytes < 0 || payloadBytes > EventDecoder.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload-bytes must be within 0.." + EventDecoder.MAX_PAYLOAD_BYTES + ", was "
              + payloadBytes);
    }
    if (ringBufferBytes < MIN_RING_BYTES
        || ringBufferBytes > MAX_RING_BYTES
        || Integer.bitCount(ringBufferBytes) != 1) {
      throw new IllegalArgumentException(
          "ring-buffer-bytes must be a power of two from 4 KiB to 1 GiB, was " + ringBufferBytes);
    }
    if (pollBatchBytes < EventDecoder.MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "poll-batch-bytes must hold one full record (" + EventDecoder.MAX_RECORD_BYTES
              + " bytes), was " + pollBatchBytes);
    }
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll-interval must be positive, was " + pollInterval);
    }
    if (targetMode == null) {
      throw new IllegalArgumentException("target-mode is required");
    }
    targetPids = List.copyOf(targetPids);
    targetCgroupPaths = List.copyOf(targetCgroupPaths);
    targetNetnsPaths = List.copyOf(targetNetnsPaths);
    if (handover == null) {
      handover = HandoverSettings.OFF;
    }
  }

  /** Without handover. */
  public CaptureSettings(
      int payloadBytes,
      int ringBufferBytes,
      int pollBatchBytes,
      Duration pollInterval,
      TargetMode targetMode,
      List<Integer> targetPids,
      List<String> targetCgroupPaths,
      List<String> targetNetnsPaths) {
    this(
        payloadBytes, ringBufferBytes, pollBatchBytes, pollInterval, targetMode, targetPids,
        targetCgroupPaths, targetNetnsPaths, HandoverSettings.OFF);
  }

  /** Without network namespaces (the shape before mode netns existed). */
  public CaptureSettings(
      int payloadBytes,
      int ringBufferBytes,
      int pollBatchBytes,
      Duration pollInterval,
      TargetMode targetMode,
      List<Integer> targetPids,
      List<String> targetCgroupPaths) {
    this(
        payloadBytes, ringBufferBytes, pollBatchBytes, pollInterval, targetMode, targetPids,
        targetCgroupPaths, List.of());
  }

  /**
   * The namespaces a session adds at open: the configured ones, or the node's own when none is
   * configured and the mode is netns.
   */
  public List<String> effectiveTargetNetnsPaths() {
    if (targetNetnsPaths.isEmpty() && targetMode == TargetMode.NETNS) {
      return List.of(OWN_NETNS);
    }
    return targetNetnsPaths;
  }

  /** Reads {@code rootline.bpf} from a config that includes this module's reference.conf. */
  public static CaptureSettings create(Config root) {
    Config c = root.getConfig(PATH);
    try {
      return new CaptureSettings(
          bytes(c, "payload-bytes"),
          bytes(c, "ring-buffer-bytes"),
          bytes(c, "poll-batch-bytes"),
          c.getDuration("poll-interval"),
          TargetMode.fromConfigName(c.getString("target-mode")),
          c.getIntList("target-pids"),
          c.getStringList("target-cgroup-paths"),
          c.getStringList("target-netns-paths"),
          HandoverSettings.create(c.getConfig("handover")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), PATH, e.getMessage(), e);
    }
  }

  /** These settings with another payload size (same checks). */
  public CaptureSettings withPayloadBytes(int bytes) {
    return new CaptureSettings(
        bytes, ringBufferBytes, pollBatchBytes, pollInterval, targetMode, targetPids,
        targetCgroupPaths, targetNetnsPaths, handover);
  }

  /** These settings with another target mode. */
  public CaptureSettings withTargetMode(TargetMode mode) {
    return new CaptureSettings(
        payloadBytes, ringBufferBytes, pollBatchBytes, pollInterval, mode, targetPids,
        targetCgroupPaths, targetNetnsPaths, handover);
  }

  /** These settings with other network namespaces for mode netns. */
  public CaptureSettings withTargetNetnsPaths(List<String> paths) {
    return new CaptureSettings(
        payloadBytes, ringBufferBytes, pollBatchBytes, pollInterval, targetMode, targetPids,
        targetCgroupPaths, paths, handover);
  }

  /** These settings with another handover. */
  public CaptureSettings withHandover(HandoverSettings other) {
    return new CaptureSettings(
        payloadBytes, ringBufferBytes, pollBatchBytes, pollInterval, targetMode, targetPids,
        targetCgroupPaths, targetNetnsPaths, other);
  }

  private static int bytes(Config c, String key) {
    long value = c.getBytes(key);
    if (value > Integer.MAX_VALUE) {
      throw new ConfigException.BadValue(c.origin(), key, "must be below 2 GiB, was " + value);
    }
    return (int) value;
  }
}
