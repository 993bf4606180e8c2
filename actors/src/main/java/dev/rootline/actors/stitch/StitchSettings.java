package dev.rootline.actors.stitch;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Tunables of cross-host stitching, read from {@code rootline.actors.stitch} (defaults and their
 * meaning in {@code stitch.conf}). One instance per actor system ({@link #get}), so trace
 * entities read it without parsing config each.
 *
 * @param enabled whether captures publish links and server-root traces wait for them
 * @param linkWait how long a trace rooted in a server span waits for a link before it is decided
 *     on its own (counted from its first span)
 * @param entryTtl how long one end's unmatched link waits for the other end's
 * @param maxPendingPerConnection unmatched links one connection entity holds per end
 * @param clockSkew how far the two ends' clocks may disagree when their times are compared
 */
public record StitchSettings(
    boolean enabled,
    Duration linkWait,
    Duration entryTtl,
    int maxPendingPerConnection,
    Duration clockSkew)
    implements Extension {

  public static final String CONFIG_PATH = "rootline.actors.stitch";

  public StitchSettings {
    if (linkWait.isNegative() || clockSkew.isNegative()) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".link-wait and clock-skew must not be negative");
    }
    if (entryTtl.isNegative() || entryTtl.isZero()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".entry-ttl must be positive");
    }
    if (maxPendingPerConnection < 1) {
      throw new IllegalArgumentException(CONFIG_PATH + ".max-pending-per-connection must be >= 1");
    }
  }

  /** Reads {@code rootline.actors.stitch} from a full config (include stitch.conf). */
  public static StitchSettings create(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new StitchSettings(
        c.getBoolean("enabled"),
        c.getDuration("link-wait"),
        c.getDuration("entry-ttl"),
        c.getInt("max-pending-per-connection"),
        c.getDuration("clock-skew"));
  }

  /** This system's settings, read once. */
  public static StitchSettings get(ActorSystem<?> system) {
    return system.registerExtension(Id.INSTANCE);
  }

  /** How long a trace still waits for a link, given whether a server span is its root and its age. */
  public Duration linkWaitLeft(boolean hasServerRoot, Duration age) {
    if (!enabled || !hasServerRoot || age.compareTo(linkWait) >= 0) {
      return Duration.ZERO;
    }
    return linkWait.minus(age);
  }

  private static final class Id extends ExtensionId<StitchSettings> {
    static final Id INSTANCE = new Id();

    @Override
    public StitchSettings createExtension(ActorSystem<?> system) {
      return create(system.settings().config());
    }
  }
}
