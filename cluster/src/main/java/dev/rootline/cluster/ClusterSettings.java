package dev.rootline.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Typed view of {@code rootline.cluster}. */
public record ClusterSettings(
    String systemName,
    String hostname,
    int port,
    List<String> seedNodes,
    List<String> roles,
    String sbrStrategy,
    Duration sbrStableAfter,
    Duration sbrDownAllWhenUnstable,
    Duration acceptableHeartbeatPause) {

  public static final String CAPTURE = "capture";
  public static final String TRACE = "trace";
  public static final String API = "api";
  public static final Set<String> ROLES = Set.of(CAPTURE, TRACE, API);

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
    roles = List.copyOf(roles);
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("rootline.cluster.roles is empty; give one of " + ROLES);
    }
    for (String role : roles) {
      if (!ROLES.contains(role)) {
        throw new IllegalArgumentException(
            "unknown role \"" + role + "\" in rootline.cluster.roles; known: " + ROLES);
      }
    }
    if (sbrDownAllWhenUnstable.isNegative() || sbrDownAllWhenUnstable.isZero()) {
      throw new IllegalArgumentException(
          "rootline.cluster.split-brain-resolver.down-all-when-unstable must be positive, not "
              + sbrDownAllWhenUnstable);
    }
    if (acceptableHeartbeatPause.isNegative() || acceptableHeartbeatPause.isZero()) {
      throw new IllegalArgumentException(
          "rootline.cluster.failure-detector.acceptable-heartbeat-pause must be positive, not "
              + acceptableHeartbeatPause);
    }
    for (String seed : seedNodes) {
      if (!seed.matches("[^:\\s]+:\\d+")) {
        throw new IllegalArgumentException(
            "seed node \"" + seed + "\" is not host:port (rootline.cluster.seed-nodes)");
      }
    }
  }

  /**
   * Settings with the default split brain resolver (keep-majority, stable after 7 s, everything
   * downed only after 20 s more of instability) and failure detector (heartbeats up to 8 s late
   * accepted).
   */
  public ClusterSettings(
      String systemName, String hostname, int port, List<String> seedNodes, List<String> roles) {
    this(systemName, hostname, port, seedNodes, roles, "keep-majority", Duration.ofSeconds(7),
        Duration.ofSeconds(20), Duration.ofSeconds(8));
  }

  public static ClusterSettings create(Config config) {
    Config c = config.getConfig("rootline.cluster");
    return new ClusterSettings(
        c.getString("system-name"),
        c.getString("hostname"),
        c.getInt("port"),
        listOrCommaSeparated(c, "seed-nodes"),
        listOrCommaSeparated(c, "roles"),
        c.getString("split-brain-resolver.active-strategy"),
        c.getDuration("split-brain-resolver.stable-after"),
        c.getDuration("split-brain-resolver.down-all-when-unstable"),
        c.getDuration("failure-detector.acceptable-heartbeat-pause"));
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** A HOCON list, or (from an environment variable) one string of comma-separated items. */
  private static List<String> listOrCommaSeparated(Config c, String key) {
    if (c.getValue(key).valueType() == ConfigValueType.STRING) {
      return Arrays.stream(c.getString(key).split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    }
    return c.getStringList(key);
  }
}
