package dev.rootline.actors.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one JVM: node A hosts the policy entities (role trace), node B (role api) only
 * proxies. A node started after a change gets the current policy from the index; a change made
 * on one node reaches every node's follower live.
 */
class PolicyDistributionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private ActorTestKit a;
  private ActorTestKit b;

  @AfterEach
  void stop() {
    if (b != null) {
      b.shutdownTestKit();
    }
    if (a != null) {
      a.shutdownTestKit();
    }
  }

  @Test
  void aLateNodeGetsTheCurrentPolicyAndChangesReachEveryNodeLive() throws Exception {
    a = node("PolicyDistributionTest", "trace");
    Cluster clusterA = Cluster.get(a.system());
    clusterA.manager().tell(Join.create(clusterA.selfMember().address()));
    awaitUp(a, 1);
    PolicySettings settings = PolicySettings.create(a.system().settings().config());
    CopyOnWriteArrayList<PolicySet> heardOnA = new CopyOnWriteArrayList<>();
    NodePolicies onA = NodePolicies.start(a.system(), settings, "trace", List.of(heardOnA::add));
    a.createTestProbe().awaitAssert(WAIT, () -> onA.client().policies().toCompletableFuture().get(5, TimeUnit.SECONDS));

    PolicyScope java = PolicyScope.service("java:8082");
    onA.client()
        .put(java, new CapturePolicy(null, 3000, null, null, null, null, null), "before node B", "alice")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    b = node("PolicyDistributionTest", "api");
    Cluster.get(b.system()).manager().tell(Join.create(clusterA.selfMember().address()));
    awaitUp(a, 2);
    CopyOnWriteArrayList<PolicySet> heardOnB = new CopyOnWriteArrayList<>();
    NodePolicies onB = NodePolicies.start(b.system(), settings, "trace", List.of(heardOnB::add));

    b.createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertThat(heardOnB).isNotEmpty();
              assertThat(last(heardOnB).effective(null, "java:8082", null).payloadBytes()).isEqualTo(3000);
              return null;
            });

    // Topic subscriptions spread by gossip: once B's subscription is known on A, a change made
    // through B (to the entity on A) comes back to both followers without waiting for a resync.
    Thread.sleep(3000);
    long start = System.nanoTime();
    onB.client()
        .patch(java, new CapturePolicy(false, null, null, null, null, null, null), "stop java", "bob")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    b.createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertThat(last(heardOnB).revision(java)).isEqualTo(2);
              assertThat(last(heardOnA).revision(java)).isEqualTo(2);
              return null;
            });
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(last(heardOnB).effective(null, "java:8082", null).capture()).isFalse();
    // Well below the resync interval (30 s): it came over the topic.
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }

  private static PolicySet last(List<PolicySet> sets) {
    return sets.get(sets.size() - 1);
  }

  private static ActorTestKit node(String name, String role) {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.actor.serialize-messages = on
                pekko.cluster.roles = [%s]
                """
                    .formatted(role))
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    return ActorTestKit.create(name, config);
  }

  private static void awaitUp(ActorTestKit node, int members) {
    ActorSystem<?> system = node.system();
    node.createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              Iterable<Member> all = Cluster.get(system).state().getMembers();
              assertThat(StreamSupport.stream(all.spliterator(), false).filter(m -> m.status() == MemberStatus.up()))
                  .hasSize(members);
              return null;
            });
  }
}
