package dev.rootline.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * Turns {@link ClusterSettings} into the {@code pekko.*} keys of a clustered actor system, so
 * users configure one place ({@code rootline.cluster}) and never Pekko's own key names.
 */
public final class PekkoClusterConfig {
  private PekkoClusterConfig() {}

  /**
   * {@code base} with remoting, seed nodes, roles and the split brain resolver (strategy and
   * stable-after from {@code rootline.cluster.split-brain-resolver}) filled in.
   */
  public static Config apply(ClusterSettings settings, Config base) {
    List<String> seeds =
        settings.seedNodes().stream()
            .map(hostPort -> "pekko://" + settings.systemName() + "@" + hostPort)
            .toList();
    Config cluster =
        ConfigFactory.empty()
            .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
            .withValue(
                "pekko.remote.artery.canonical.hostname",
                ConfigValueFactory.fromAnyRef(settings.hostname()))
            .withValue(
                "pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.port()))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
            .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(settings.roles()))
            .withValue(
                "pekko.cluster.downing-provider-class",
                ConfigValueFactory.fromAnyRef(
                    "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"))
            .withValue(
                "pekko.cluster.split-brain-resolver.active-strategy",
                ConfigValueFactory.fromAnyRef(settings.sbrStrategy()))
            .withValue(
                "pekko.cluster.split-brain-resolver.stable-after",
                ConfigValueFactory.fromAnyRef(settings.sbrStableAfter().toMillis() + "ms"));
    return cluster.withFallback(base);
  }
}
