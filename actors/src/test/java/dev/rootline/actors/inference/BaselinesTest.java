package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselinesTest {

  private static InferenceSettings small() {
    InferenceSettings d = InferenceSettings.DEFAULTS;
    return new InferenceSettings(d.baselineSample(), 100, 5, 20, 3, 2, d.minObservations(),
        d.slowFactor(), d.minExcessMillis(), d.fastFactor(), d.structureRarity(), d.window(),
        Duration.ofMinutes(1), d.maxRanked(), d.maxAttributesPerSpan(), d.priorIncidents(), d.priorSeed());
  }

  @Test
  void operationsCandidatesChildrenAndHostsAreBounded() {
    Baselines baselines = new Baselines(small());
    for (int i = 0; i < 50; i++) {
      List<Span> spans = new ArrayList<>();
      String root = "r" + i;
      spans.add(SyntheticTraces.server("t" + i, root, null, "svc-" + i, "host-" + i, "/x", 0, 10_000_000, 200));
      for (int c = 0; c < 10; c++) {
        spans.add(SyntheticTraces.server("t" + i, "c" + i + "-" + c, root, "svc-" + i, "host-" + c,
            "/child" + c, 1_000_000, 2_000_000, 200));
      }
      SpanTree tree = new SpanTree(spans);
      List<String> keys = new ArrayList<>();
      for (int s = 0; s < 30; s++) {
        keys.add("SERVICE|k" + i + "-" + s);
      }
      baselines.learn(tree, keys);
    }
    assertThat(baselines.operationCount()).isEqualTo(5);
    assertThat(baselines.candidateCount()).isEqualTo(20);
    assertThat(baselines.get("svc-49 GET /child9")).isNotNull();
    assertThat(baselines.get("svc-0 GET /x")).as("least recently used, forgotten").isNull();
    OperationBaseline b = new OperationBaseline(100, 3, 2);
    for (int h = 0; h < 10; h++) {
      b.add(1, 2, Map.of("a", 1, "b", 1, "c", 1, "d", 1, "e", 1), "host-" + h, false);
    }
    assertThat(b.trackedChildren()).isEqualTo(3);
    assertThat(b.hostCount()).isEqualTo(2);
  }

  @Test
  void childCountsAndMissingCallsAreLearnt() {
    OperationBaseline b = new OperationBaseline(1000, 8, 4);
    for (int i = 0; i < 100; i++) {
      b.add(1_000_000, 5_000_000, Map.of("db", 1 + i % 3), "h", false);
    }
    assertThat(b.usualChildCount("db")).isBetween(1, 3);
    assertThat(b.withinSeenRange("db", 2)).isTrue();
    assertThat(b.withinSeenRange("db", 0)).isFalse();
    assertThat(b.childCountShare("db", 0)).isZero();
    assertThat(b.knowsChild("cache")).isFalse();
  }
}
