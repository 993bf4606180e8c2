package dev.rootline.node;

import com.typesafe.config.Config;
import java.time.Duration;

/** Typed view of {@code rootline.node}. */
public record NodeSettings(
    boolean startLocalCassandra, boolean captureEnabled, Duration joinTimeout, Duration drainTimeout) {

  public static NodeSettings create(Config config) {
    Config c = config.getConfig("rootline.node");
    return new NodeSettings(
        c.getBoolean("start-local-cassandra")
            && System.getenv("ROOTLINE_CASSANDRA_CONTACT_POINT") == null,
        c.getBoolean("capture-enabled"),
        c.getDuration("join-timeout"),
        c.getDuration("drain-timeout"));
  }
}
