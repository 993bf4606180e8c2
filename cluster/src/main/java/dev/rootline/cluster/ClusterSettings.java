package dev.rootline.cluster;

import com.typesafe.config.Config;
import java.util.List;

/** Typed view of {@code rootline.cluster}. */
public record ClusterSettings(
    String systemName, String hostname, int port, List<String> seedNodes, List<String> roles) {

  public static ClusterSettings create(Config config) {
    Config c = config.getConfig("rootline.cluster");
    return new ClusterSettings(
        c.getString("system-name"),
        c.getString("hostname"),
        c.getInt("port"),
        c.getStringList("seed-nodes"),
        c.getStringList("roles"));
  }
}
