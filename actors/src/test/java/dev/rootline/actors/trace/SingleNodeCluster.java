package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.issue.IssueSettings;
import dev.rootline.actors.issue.IssueUpdates;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A one-node cluster (self-joined, random port) with the in-memory persistence test kit as its
 * journal and the trace pipeline (with issues) started on it, for the entity tests.
 */
final class SingleNodeCluster {

  /** Short timings for entity tests: decide after 300 ms of quiet, retry persists after 100 ms. */
  static final String FAST_DECISIONS =
      """
      rootline.actors.trace {
        quiet-period = 300ms
        linger = 3s
        persist-timeout = 1s
        persist-retry.min-backoff = 100ms
      }
      """;

  final ActorTestKit testKit;
  final TraceSettings settings;
  final ActorRef<TraceScorer.Command> scorer;
  final ActorRef<Topic.Command<TraceSummary>> retainedTraces;
  final ActorRef<Topic.Command<IssueSummary>> issueUpdates;

  SingleNodeCluster(String name, String overrides) {
    this(name, overrides, null);
  }

  /** With {@code scorer} answering instead of the real {@link TraceScorer} (null: the real one). */
  SingleNodeCluster(String name, String overrides, Behavior<TraceScorer.Command> scorer) {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                # Every message is serialized as if it crossed nodes: protocols must be CBOR-ready.
                pekko.actor.serialize-messages = on
                """
                    + overrides)
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
    settings = TraceSettings.create(testKit.system().settings().config());
    this.scorer =
        scorer == null
            ? testKit.spawn(TraceScorer.create(settings.scorer()), "scorer", TraceScorer.DISPATCHER)
            : testKit.spawn(scorer, "scorer");
    retainedTraces = testKit.spawn(RetainedTraces.topic(), "retained-traces");
    issueUpdates = testKit.spawn(IssueUpdates.topic(), "issue-updates");
    IssueEntity.init(testKit.system(), IssueSettings.create(testKit.system().settings().config()), issueUpdates);
    TraceRecord.init(testKit.system());
    TraceEntity.init(testKit.system(), settings, this.scorer, retainedTraces);
  }

  /** A probe that receives every retained trace published from now on. */
  TestProbe<TraceSummary> subscribeToRetainedTraces() {
    TestProbe<TraceSummary> probe = testKit.createTestProbe(TraceSummary.class);
    retainedTraces.tell(Topic.subscribe(probe.getRef()));
    return probe;
  }

  void shutdown() {
    testKit.shutdownTestKit();
  }
}
