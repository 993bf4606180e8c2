package dev.rootline.bpf;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Typed view of {@code rootline.bpf.handover}: whether this host's capture outlives the process
 * that reads it, so a restarting node loses nothing (see the module README, "Handover").
 *
 * @param name this host's capture under {@code dir}; empty means no handover
 * @param dir a directory on a bpf filesystem that every node process of this machine sees
 * @param replayWindow history kept in the ring before the last checkpoint, for a successor to
 *     re-read (the requests still open there are rebuilt from it); unconfirmed records are kept
 *     as well, both together at most half the ring
 * @param orphanAfter a pinned capture whose reader is gone records this long, then nothing
 */
public record HandoverSettings(String name, Path dir, Duration replayWindow, Duration orphanAfter) {

  public static final HandoverSettings OFF =
      new HandoverSettings("", Path.of("/run/rootline/bpf"), Duration.ofSeconds(30), Duration.ofMinutes(10));

  public HandoverSettings {
    name = name == null ? "" : name.strip();
    if (!name.isEmpty() && !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "handover.name must be 1-64 letters, digits, '.', '_' or '-', was '" + name + "'");
    }
    if (dir == null || !dir.isAbsolute()) {
      throw new IllegalArgumentException("handover.dir must be an absolute path, was " + dir);
    }
    if (replayWindow.isNegative()) {
      throw new IllegalArgumentException("handover.replay-window must not be negative, was " + replayWindow);
    }
    if (orphanAfter.isNegative()) {
      throw new IllegalArgumentException("handover.orphan-after must not be negative, was " + orphanAfter);
    }
  }

  public boolean enabled() {
    return !name.isEmpty();
  }

  /** Where this host's capture is pinned. */
  public Path pinDir() {
    return dir.resolve(name);
  }

  public HandoverSettings withName(String other) {
    return new HandoverSettings(other, dir, replayWindow, orphanAfter);
  }

  static HandoverSettings create(Config c) {
    return new HandoverSettings(
        c.getString("name"),
        Path.of(c.getString("dir")),
        c.getDuration("replay-window"),
        c.getDuration("orphan-after"));
  }
}
