package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TraceEntityTest {

  private static final Duration PATIENCE = Duration.ofSeconds(15);

  private static SingleNodeCluster cluster;
  private static ClusterSharding sharding;
  private static PipelineStats stats;

  @BeforeAll
  static void start() {
    cluster =
        new SingleNodeCluster(
"TraceEntityTest", SingleNodeCluster.FAST_DECISIONS);
    sharding = ClusterSharding.get(cluster.testKit.system());
    stats = PipelineStats.get(cluster.testKit.system());
  }

  @AfterAll
  static void stop() {
    cluster.shutdown();
  }

  @Test
  void normalTraceIsDecidedOnceAfterTheQuietPeriodAndCounted() {
    List<Span> spans = TestSpans.checkout("python3:9001", "/checkout?cart=1", 20, 1000);
    String endpoint = endpointOf(spans);
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    awaitStatus(spans, status -> assertThat(status.phase()).isEqualTo("DECIDED"));
    // Longer than several quiet periods: nothing more is decided, nothing is published.
    published.expectNoMessage(Duration.ofSeconds(1));
    TraceEntity.Status status = status(traceId(spans));
    assertThat(status.decisions()).isEqualTo(1);
    assertThat(status.spans()).isEqualTo(3);
    assertThat(status.retained()).isFalse();
    assertThat(stats.counted(endpoint)).isEqualTo(1);
    assertThat(stats.retained(endpoint)).isZero();
  }

  @Test
  void failingTraceIsRetainedPersistedAndPublished() {
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9002", "/checkout", 25, 1000));
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    TraceSummary summary = published.expectMessageClass(TraceSummary.class, PATIENCE);
    assertThat(summary.traceId()).isEqualTo(traceId(spans));
    assertThat(summary.spanCount()).isEqualTo(3);
    assertThat(summary.rootService()).isEqualTo("python3:9002");
    assertThat(summary.reasons()).containsExactly("status 500 from python3:8082 GET /stock/7");
    RetainedTrace stored = recorded(traceId(spans));
    assertThat(stored.spans()).containsExactlyInAnyOrderElementsOf(spans);
    assertThat(stats.retained(endpointOf(spans))).isEqualTo(1);
    assertThat(stats.counted(endpointOf(spans))).isZero();
  }

  @Test
  void lateFailingSpanTurnsACountedTraceIntoARetainedOne() {
    List<Span> spans = TestSpans.checkout("python3:9003", "/checkout", 20, 1000);
    String endpoint = endpointOf(spans);
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    awaitStatus(spans, status -> assertThat(status.phase()).isEqualTo("DECIDED"));
    assertThat(stats.counted(endpoint)).isEqualTo(1);

    Span late =
        TestSpans.withStatus(
            TestSpans.server(traceId(spans), spans.get(0).spanId(), "python3:8084", "/tax", 3), 503);
    TraceEntity.recordSpan(sharding, late);

    TraceSummary summary = published.expectMessageClass(TraceSummary.class, PATIENCE);
    assertThat(summary.spanCount()).isEqualTo(4);
    assertThat(summary.reasons()).containsExactly("status 503 from python3:8084 GET /tax");
    assertThat(status(traceId(spans)).decisions()).isEqualTo(2);
    assertThat(stats.counted(endpoint)).as("no longer only counted").isZero();
    assertThat(stats.retained(endpoint)).isEqualTo(1);
  }

  @Test
  void retainedTraceStaysRetainedAndIsPersistedAgainWithLateSpans() {
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9004", "/checkout", 20, 1000));
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    assertThat(published.expectMessageClass(TraceSummary.class, PATIENCE).spanCount()).isEqualTo(3);

    Span late = TestSpans.server(traceId(spans), spans.get(0).spanId(), "python3:8085", "/ok", 1);
    TraceEntity.recordSpan(sharding, late);

    TraceSummary again = published.expectMessageClass(TraceSummary.class, PATIENCE);
    assertThat(again.spanCount()).isEqualTo(4);
    assertThat(again.reasons()).contains("status 500 from python3:8082 GET /stock/7");
    assertThat(recorded(traceId(spans)).spans()).hasSize(4).contains(late);
    assertThat(stats.retained(endpointOf(spans))).as("one trace, retained once").isEqualTo(1);
  }

  @Test
  void duplicateSpansFromRedeliveryAreKeptOnce() {
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9005", "/checkout", 20, 1000));
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    assertThat(published.expectMessageClass(TraceSummary.class, PATIENCE).spanCount()).isEqualTo(3);
    assertThat(status(traceId(spans)).decisions()).isEqualTo(1);
  }

  @Test
  void failedPersistIsRetriedUntilItSucceeds() {
    PersistenceTestKit journal = PersistenceTestKit.create(cluster.testKit.system());
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9006", "/checkout", 20, 1000));
    TestProbe<TraceSummary> published = cluster.subscribeToRetainedTraces();
    long retriesBefore = stats.persistRetries();
    // The first write of this trace's record fails (as when Cassandra is down).
    journal.failNextPersisted(TraceRecord.persistenceId(traceId(spans)).id());

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    TraceSummary summary = published.expectMessageClass(TraceSummary.class, Duration.ofSeconds(30));
    assertThat(summary.traceId()).isEqualTo(traceId(spans));
    assertThat(stats.persistRetries()).isGreaterThan(retriesBefore);
    assertThat(recorded(traceId(spans)).spans()).hasSize(3);
  }

  @Test
  void decidedEntityPassivatesAfterLinger() {
    List<Span> spans = TestSpans.checkout("python3:9007", "/checkout", 20, 1000);
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    awaitStatus(spans, status -> assertThat(status.decisions()).isEqualTo(1));

    // A passivated entity is started afresh by the next message: it holds nothing then.
    awaitStatus(
        spans,
        status -> {
          assertThat(status.decisions()).isZero();
          assertThat(status.spans()).isZero();
        });
    assertThat(stats.counted(endpointOf(spans))).isEqualTo(1);
  }

  @Test
  void spansWithoutServiceOrOfAnotherTraceAreCountedAndSkipped() {
    List<Span> spans = TestSpans.checkout("python3:9008", "/checkout", 20, 1000);
    Span noService =
        TestSpans.span(traceId(spans), TestSpans.newSpanId(), null, Span.Kind.SERVER, null, "GET",
            "/x", 200, 1, 2, 0, 0, null);
    Span otherTrace = TestSpans.server(TestSpans.newTraceId(), null, "python3:9008", "/y", 1);
    long dropped = (Long) stats.snapshot().get("spansDropped");

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    TraceEntity.recordSpan(sharding, noService);
    sharding.entityRefFor(TraceEntity.ENTITY_KEY, traceId(spans))
        .tell(new TraceEntity.RecordSpan(otherTrace));

    awaitStatus(spans, status -> assertThat(status.decisions()).isEqualTo(1));
    assertThat(status(traceId(spans)).spans()).isEqualTo(3);
    assertThat((Long) stats.snapshot().get("spansDropped")).isEqualTo(dropped + 2);
  }

  private static String traceId(List<Span> spans) {
    return spans.get(0).traceId();
  }

  private static String endpointOf(List<Span> spans) {
    return CompletedTrace.of(traceId(spans), spans).endpoint();
  }

  static TraceEntity.Status status(String traceId) {
    return sharding
        .entityRefFor(TraceEntity.ENTITY_KEY, traceId)
        .ask(TraceEntity.GetStatus::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join();
  }

  private static void awaitStatus(
      List<Span> spans, java.util.function.Consumer<TraceEntity.Status> assertion) {
    cluster
        .testKit
        .createTestProbe()
        .awaitAssert(
            PATIENCE,
            () -> {
              assertion.accept(status(traceId(spans)));
              return null;
            });
  }

  private static RetainedTrace recorded(String traceId) {
    return sharding
        .entityRefFor(TraceRecord.ENTITY_KEY, traceId)
        .ask(TraceRecord.Get::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join()
        .retained()
        .orElseThrow();
  }
}
