package dev.rootline.node;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/** Typed view of {@code rootline.node}. */
public record NodeSettings(
    String hostName, boolean startLocalCassandra, boolean captureEnabled, Duration joinTimeout) {

  public static NodeSettings create(Config config) {
    Config c = config.getConfig("rootline.node");
    String host = c.getString("host-name");
    return new NodeSettings(
        host.isBlank() ? machineHostName() : host,
        c.getBoolean("start-local-cassandra"),
        c.getBoolean("capture-enabled"),
        c.getDuration("join-timeout"));
  }

  private static String machineHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
