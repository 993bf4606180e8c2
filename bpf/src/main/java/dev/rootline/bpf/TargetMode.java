package dev.rootline.bpf;

import java.util.Locale;

/**
 * Which processes the kernel program records. The choice is made in the kernel, first thing
 * in every sys_enter, so non-targets cost one compare or one hash lookup per syscall.
 */
public enum TargetMode {
  /** Every process on the host except the one that opened the session. */
  ALL_BUT_SELF(0),
  /** Only processes whose pid (tgid) was added with {@link CaptureSession#addTargetPid}. */
  PIDS(1),
  /** Only processes in a cgroup (v2 id) added with {@link CaptureSession#addTargetCgroup}. */
  CGROUPS(2),
  /**
   * Only processes in a network namespace added with {@link CaptureSession#addTargetNetns}
   * (never the capturing process itself): one node per "host" when hosts are network
   * namespaces on one machine.
   */
  NETNS(3);

  private final int code;

  TargetMode(int code) {
    this.code = code;
  }

  /** The value of {@code enum capture_target_mode} in capture_event.h. */
  int code() {
    return code;
  }

  /** The HOCON spelling: {@code all-but-self}, {@code pids}, {@code cgroups}, {@code netns}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses the HOCON spelling (case-insensitive). */
  public static TargetMode fromConfigName(String name) {
    for (TargetMode mode : values()) {
      if (mode.configName().equalsIgnoreCase(name.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown target mode '" + name + "', expected all-but-self, pids, cgroups or netns");
  }
}
