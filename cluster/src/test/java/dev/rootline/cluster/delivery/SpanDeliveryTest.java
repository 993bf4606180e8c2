package dev.rootline.cluster.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.issue.IssueSettings;
import dev.rootline.actors.issue.IssueUpdates;
import dev.rootline.actors.trace.DeliveryStats;
import dev.rootline.actors.trace.RetainedTraces;
import dev.rootline.actors.trace.SpanBatch;
import dev.rootline.actors.trace.TraceEntity;
import dev.rootline.actors.trace.TraceRecord;
import dev.rootline.actors.trace.TraceScorer;
import dev.rootline.actors.trace.TraceSettings;
import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Capture-side batching and the confirmation protocol on a one-node cluster with role trace: a
 * trace's spans travel as one batch, and the batch is confirmed only after its trace is decided.
 */
class SpanDeliveryTest {
  private static final AtomicLong IDS = new AtomicLong(1);
  private static ActorTestKit testKit;
  private static ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<SpanBatch>>> region;
  private static DeliveryStats stats;

  @BeforeAll
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void start() {
    testKit =
        ActorTestKit.create(
            "SpanDeliveryTest",
            ConfigFactory.parseString(
                    """
                    pekko.actor.provider = cluster
                    pekko.remote.artery.canonical.hostname = 127.0.0.1
                    pekko.remote.artery.canonical.port = 0
                    pekko.cluster.roles = [trace]
                    pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                    pekko.actor.serialize-messages = on
                    rootline.actors.trace.quiet-period = 1s
                    rootline.actors.trace.linger = 3s
                    """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.load()));
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
    TraceSettings settings = TraceSettings.create(testKit.system().settings().config());
    var scorer = testKit.spawn(TraceScorer.create(settings.scorer()), "scorer", TraceScorer.DISPATCHER);
    var topic = testKit.spawn(RetainedTraces.topic(), "retained-traces");
    // A retained trace with a fingerprint records its occurrence on its issue before it is done.
    IssueEntity.init(
        testKit.system(),
        IssueSettings.create(testKit.system().settings().config()),
        testKit.spawn(IssueUpdates.topic(), "issue-updates"),
        "trace");
    TraceRecord.init(testKit.system(), "trace");
    region = (ActorRef) TraceEntity.init(testKit.system(), settings, scorer, topic, "trace");
    stats = DeliveryStats.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aTracesSpansTravelAsOneBatchConfirmedOnlyAfterTheTraceIsDecided() {
    var delivery =
        testKit.spawn(SpanDelivery.create(settings(50_000), "capture@test-1", region), "delivery-1");
    long sentBefore = counter("batchesSent");
    long confirmedBefore = counter("batchesConfirmedToProducer");
    String failing = traceId();
    String fine = traceId();
    List.of(
            span(failing, null, "python3:9001", 500),
            span(failing, "aa", "python3:9002", 500),
            span(failing, "aa", "python3:9003", 200),
            span(fine, null, "python3:9001", 200),
            span(fine, "bb", "python3:9002", 200))
        .forEach(s -> delivery.tell(new SpanDelivery.Offer(s)));
    java.util.concurrent.BlockingQueue<Long> safe = new java.util.concurrent.LinkedBlockingQueue<>();
    delivery.tell(new SpanDelivery.Mark(7, safe::add));

    var probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertThat(counter("batchesSent") - sentBefore).isEqualTo(2);
          return null;
        });
    // The entities hold their batches until their quiet period (1 s) has passed and they decided.
    assertThat(counter("batchesConfirmedToProducer") - confirmedBefore).isZero();
    assertThat(status(failing).phase()).isEqualTo("COLLECTING");
    assertThat(safe).as("the capture may not checkpoint before the entities confirmed").isEmpty();

    var drainProbe = testKit.<Done>createTestProbe();
    delivery.tell(new SpanDelivery.Drain(drainProbe.ref()));
    drainProbe.expectMessage(Duration.ofSeconds(15), Done.getInstance());
    assertThat(counter("batchesConfirmedToProducer") - confirmedBefore).isEqualTo(2);
    assertThat(safe).as("both batches confirmed: the mark is answered").containsExactly(7L);
    delivery.tell(new SpanDelivery.Mark(8, safe::add));
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(safe).as("nothing unsafe before it: answered at once").containsExactly(7L, 8L);
          return null;
        });
    TraceEntity.Status decided = status(failing);
    assertThat(decided.phase()).isEqualTo("DECIDED");
    assertThat(decided.retained()).isTrue();
    assertThat(decided.spans()).isEqualTo(3);
    assertThat(status(fine).retained()).isFalse();
  }

  @Test
  void theCaptureIsHeldWhileTooManySpansWaitForTheirTraces() {
    var delivery =
        testKit.spawn(SpanDelivery.create(settings(50_000, 4), "capture@test-3", region), "delivery-3");
    java.util.concurrent.BlockingQueue<Boolean> holds = new java.util.concurrent.LinkedBlockingQueue<>();
    delivery.tell(new SpanDelivery.WatchBacklog(holds::add));
    var probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(holds).as("told the current state at once").containsExactly(false);
          return null;
        });
    holds.clear();
    long heldBefore = counter("captureHolds");
    String a = traceId();
    String b = traceId();
    List.of(
            span(a, null, "python3:9201", 200),
            span(a, "dd", "python3:9202", 200),
            span(b, null, "python3:9201", 200),
            span(b, "ee", "python3:9202", 200))
        .forEach(s -> delivery.tell(new SpanDelivery.Offer(s)));
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(holds).as("4 unconfirmed spans are not more than 4").isEmpty();
          return null;
        });
    delivery.tell(new SpanDelivery.Offer(span(b, "ee", "python3:9203", 200)));
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(holds).as("the fifth span is one too many").containsExactly(true);
          return null;
        });
    assertThat(counter("captureHolds") - heldBefore).isEqualTo(1);
    // Both traces decide after their quiet period (1 s): their batches are confirmed.
    var drainProbe = testKit.<Done>createTestProbe();
    delivery.tell(new SpanDelivery.Drain(drainProbe.ref()));
    drainProbe.expectMessage(Duration.ofSeconds(15), Done.getInstance());
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(holds).as("released once confirmed").containsExactly(true, false);
          return null;
        });
  }

  @Test
  void spansBeyondTheBufferAreShedAndCounted() {
    var delivery =
        testKit.spawn(SpanDelivery.create(settings(2), "capture@test-2", region), "delivery-2");
    long shedBefore = stats.spansShed();
    String trace = traceId();
    for (int i = 0; i < 5; i++) {
      delivery.tell(new SpanDelivery.Offer(span(trace, i == 0 ? null : "cc", "python3:" + (9100 + i), 200)));
    }
    var drainProbe = testKit.<Done>createTestProbe();
    delivery.tell(new SpanDelivery.Drain(drainProbe.ref()));
    drainProbe.expectMessage(Duration.ofSeconds(15), Done.getInstance());
    assertThat(stats.spansShed() - shedBefore).isEqualTo(3);
    assertThat(status(trace).spans()).isEqualTo(2);
  }

  private static DeliverySettings settings(int maxBufferedSpans) {
    return settings(maxBufferedSpans, 20_000);
  }

  private static DeliverySettings settings(int maxBufferedSpans, int maxUnconfirmedSpans) {
    return new DeliverySettings(
        Duration.ofMillis(200),
        Duration.ofSeconds(2),
        200,
        maxBufferedSpans,
        100,
        maxUnconfirmedSpans,
        Duration.ofMillis(50),
        100,
        Duration.ofSeconds(5),
        Duration.ofSeconds(3),
        Duration.ofSeconds(30));
  }

  private static long counter(String name) {
    Map<String, Object> s = stats.snapshot();
    return ((Number) s.get(name)).longValue();
  }

  private static TraceEntity.Status status(String traceId) {
    return ClusterSharding.get(testKit.system())
        .entityRefFor(TraceEntity.ENTITY_KEY, traceId)
        .<TraceEntity.Status>ask(TraceEntity.GetStatus::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join();
  }

  private static String traceId() {
    return String.format("%032x", IDS.getAndIncrement() + 0xabc000);
  }

  private static Span span(String traceId, String parent, String service, int status) {
    String spanId = String.format("%016x", IDS.getAndIncrement());
    long start = 1_700_000_000_000_000_000L + IDS.get() * 1_000_000L;
    return new Span(
        traceId, spanId, parent, Span.Kind.SERVER, "host-a", service, 4242,
        "GET", "/checkout", status, start, start + 5_000_000L, 10, 20, "127.0.0.1:1", "127.0.0.1:2",
        "", "", null);
  }
}
