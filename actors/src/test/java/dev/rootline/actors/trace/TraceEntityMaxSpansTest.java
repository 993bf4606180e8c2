package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With a quiet period and maximum duration of an hour, only max-spans can trigger a decision. */
class TraceEntityMaxSpansTest {

  private static SingleNodeCluster cluster;

  @BeforeAll
  static void start() {
    cluster =
        new SingleNodeCluster(
            "TraceEntityMaxSpansTest",
            "rootline.actors.trace { quiet-period = 1h, max-duration = 1h, max-spans = 5 }");
  }

  @AfterAll
  static void stop() {
    cluster.shutdown();
  }

  @Test
  void reachingMaxSpansDecidesAtOnceAndFurtherSpansAreDropped() {
    ClusterSharding sharding = ClusterSharding.get(cluster.testKit.system());
    PipelineStats stats = PipelineStats.get(cluster.testKit.system());
    String traceId = TestSpans.newTraceId();
    Span root = TestSpans.server(traceId, null, "python3:9101", "/fanout", 50);
    List<Span> spans = new ArrayList<>(List.of(root));
    for (int i = 0; i < 4; i++) {
      spans.add(TestSpans.server(traceId, root.spanId(), "python3:" + (9200 + i), "/part", 5));
    }
    String endpoint = CompletedTrace.of(traceId, spans).endpoint();

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    cluster
        .testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(15),
            () -> {
              assertThat(stats.counted(endpoint)).isEqualTo(1);
              return null;
            });
    TraceEntity.recordSpan(sharding, TestSpans.server(traceId, root.spanId(), "python3:9300", "/x", 1));
    TraceEntity.Status status = status(sharding, traceId);
    assertThat(status.decisions()).isEqualTo(1);
    assertThat(status.spans()).isEqualTo(5);
    assertThat(status.phase()).isEqualTo("DECIDED");
    assertThat(stats.snapshot()).containsKey("spansDropped");
    assertThat((Long) stats.snapshot().get("spansDropped")).isGreaterThanOrEqualTo(1);
  }

  private static TraceEntity.Status status(ClusterSharding sharding, String traceId) {
    return sharding
        .entityRefFor(TraceEntity.ENTITY_KEY, traceId)
        .ask(TraceEntity.GetStatus::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join();
  }
}
