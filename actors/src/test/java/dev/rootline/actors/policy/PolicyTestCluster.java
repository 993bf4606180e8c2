package dev.rootline.actors.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;

/**
 * A one-node cluster (self-joined, random port, every message serialized as if it crossed nodes)
 * with the in-memory persistence test kit as journal, and capture policies started on it.
 */
final class PolicyTestCluster {

  static final String FAST =
      """
      rootline.policy {
        resync-interval = 1s
        fetch-retry = 200ms
        expiry-check-interval = 300ms
        history-size = 5
      }
      """;

  final ActorTestKit testKit;
  final PersistenceTestKit journal;
  final SnapshotTestKit snapshots;
  final PolicySettings settings;
  final NodePolicies policies;

  PolicyTestCluster(String name) {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.actor.serialize-messages = on
                # leaving a one-node cluster took over the default 10 s once on a loaded machine
                pekko.actor.testkit.typed.system-shutdown-default = 60s
                """
                    + FAST)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(20),
            () -> {
              assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
              return null;
            });
    journal = PersistenceTestKit.create(testKit.system());
    snapshots = SnapshotTestKit.create(testKit.system());
    settings = PolicySettings.create(testKit.system().settings().config());
    policies = NodePolicies.start(testKit.system(), settings, null, List.of());
    // Sharding's first allocation takes a while on a fresh cluster: ready once the index answers.
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(20),
            () -> policies.client().policies().toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  void shutdown() {
    testKit.shutdownTestKit();
  }
}
