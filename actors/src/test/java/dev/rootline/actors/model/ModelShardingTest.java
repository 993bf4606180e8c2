package dev.rootline.actors.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.actors.trace.TraceScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Model entity as a node runs it: sharded on a one-node cluster, every message serialized as
 * if it crossed nodes, the follower spawned with {@link ModelFollower#create(
 * org.apache.pekko.actor.typed.ActorSystem, ModelSettings, ActorRef, ActorRef)}. Feedback through
 * the sharded ref ends as a new live ranker handed to the scorer.
 */
class ModelShardingTest {

  private static final Duration SLOW = Duration.ofSeconds(90);
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.actor.serialize-messages = on
                # Leaving a one-node cluster hands the shards off first: that takes a few seconds.
                pekko.actor.testkit.typed.system-shutdown-default = 60s
                pekko.persistence.journal.auto-start-journals = []
                pekko.persistence.snapshot-store.auto-start-snapshot-stores = []
                rootline.actors.model { retrain-after-labels = 5, resync-interval = 2s }
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("ModelShardingTest", config);
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
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void feedbackThroughTheShardedEntityReachesTheScorer() {
    ModelSettings settings = ModelSettings.create(testKit.system().settings().config());
    ActorRef<Topic.Command<ModelLive>> topic = testKit.spawn(ModelLive.topic(), "model-live");
    ModelEntity.init(testKit.system(), settings, topic);
    TestProbe<TraceScorer.Command> scorer = testKit.createTestProbe();
    ActorRef<ModelFollower.Command> follower =
        testKit.spawn(ModelFollower.create(testKit.system(), settings, topic, scorer.ref()), "model-follower");

    RootCauseRanker prior = awaitRanker(scorer, 1);
    double[] serviceVector = service();
    double[] hostVector = host();
    assertThat(prior.logit(serviceVector)).isGreaterThan(prior.logit(hostVector));

    EntityRef<ModelEntity.Command> model = ModelEntity.ref(testKit.system(), ModelEntity.ROOT_CAUSE);
    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.add(new RankingLabel("issue-" + i, "trace-" + i, List.of("SERVICE|cart:8083", "HOST|host-b"),
          List.of(service(), host()), "HOST|host-b", List.of("SERVICE|cart:8083"), "fb-" + i, 1L + i));
    }
    TestProbe<StatusReply<ModelEntity.LabelsAccepted>> added = testKit.createTestProbe();
    model.tell(new ModelEntity.AddLabels(labels, added.ref()));
    StatusReply<ModelEntity.LabelsAccepted> reply = added.receiveMessage(SLOW);
    assertThat(reply.getValue().added()).isEqualTo(12);
    assertThat(reply.getValue().training()).as("12 new labels >= retrain-after-labels").isTrue();

    RootCauseRanker live = awaitRanker(scorer, 2);
    assertThat(live.logit(hostVector)).isGreaterThan(live.logit(serviceVector));

    TestProbe<ModelEntity.ModelView> view = testKit.createTestProbe();
    model.tell(new ModelEntity.Get(view.ref()));
    ModelEntity.ModelView current = view.receiveMessage(SLOW);
    assertThat(current.live()).isEqualTo(2);
    assertThat(current.versions()).extracting(ModelVersion::status)
        .containsExactly(ModelVersion.SUPERSEDED, ModelVersion.LIVE);
    testKit.stop(follower);
  }

  private static RootCauseRanker awaitRanker(TestProbe<TraceScorer.Command> scorer, long version) {
    long deadline = System.nanoTime() + SLOW.toNanos();
    while (System.nanoTime() < deadline) {
      RootCauseRanker r = ((TraceScorer.UseRanker) scorer.receiveMessage(SLOW)).ranker();
      if (r.version() == version) {
        return r;
      }
    }
    throw new AssertionError("the scorer was never told v" + version);
  }

  private static double[] service() {
    double[] v = new double[CandidateEvidence.DIMENSIONS];
    v[0] = 0.65; v[1] = 0.5; v[2] = 0.3; v[5] = 0.8; v[6] = 0.3; v[8] = 0.55; v[9] = 0.45; v[11] = 0.65;
    v[13] = 1;
    return v;
  }

  private static double[] host() {
    double[] v = new double[CandidateEvidence.DIMENSIONS];
    v[0] = 0.22; v[1] = 0.15; v[3] = 0.3; v[4] = 0.25; v[5] = 1.0; v[6] = 0.55; v[8] = 0.1; v[11] = 0.22;
    v[12] = 1;
    return v;
  }
}
