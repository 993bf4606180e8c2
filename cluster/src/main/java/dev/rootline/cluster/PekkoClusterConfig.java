package dev.rootline.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * Turns {@link ClusterSettings} into the {@code pekko.*} keys of a clustered actor system, so
 * users configure one place ({@code rootline.cluster}) and never Pekko's own key names.
 */
public final class PekkoClusterConfig {
  private PekkoClusterConfig() {}

  /**
   * {@code base} with remoting, roles, the split brain resolver (strategy, stable-after and
   * down-all-when-unstable from {@code rootline.cluster.split-brain-resolver}) and the failure detector's acceptable
   * heartbeat pause filled in. Seed nodes are not: Pekko
   * would join them as the system starts, and a member whose sharding regions are not started
   * yet fails the shard coordinators' state updates that need it (with Pekko's defaults, in a
   * cluster of up to five nodes, every update) until they are. {@link ClusterFormation#join} joins them once the node has started its regions.
   */
  public static Config apply(ClusterSettings settings, Config base) {
    Config cluster =
        ConfigFactory.empty()
            .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
            .withValue(
                "pekko.remote.artery.canonical.hostname",
                ConfigValueFactory.fromAnyRef(settings.hostname()))
            .withValue(
                "pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(settings.port()))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
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
                ConfigValueFactory.fromAnyRef(settings.sbrStableAfter().toMillis() + "ms"))
            .withValue(
                "pekko.cluster.split-brain-resolver.down-all-when-unstable",
                ConfigValueFactory.fromAnyRef(settings.sbrDownAllWhenUnstable().toMillis() + "ms"))
            .withValue(
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause",
                ConfigValueFactory.fromAnyRef(settings.acceptableHeartbeatPause().toMillis() + "ms"));
    return cluster.withFallback(base);
  }

  /** The configured seed nodes as Pekko addresses, in their configured order. */
  public static List<Address> seedAddresses(ClusterSettings settings) {
    return settings.seedNodes().stream()
        .map(hostPort -> AddressFromURIString.parse("pekko://" + settings.systemName() + "@" + hostPort))
        .toList();
  }
}
