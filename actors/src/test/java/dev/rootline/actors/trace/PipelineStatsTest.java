package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineStatsTest {

  @Test
  void endpointKeysAreCappedAndTheRestSummedUnderOther() {
    PipelineStats stats = new PipelineStats(2);

    stats.traceCounted("a");
    stats.traceCounted("b");
    stats.traceCounted("c");
    stats.traceRetained("d");
    stats.traceCounted("a");

    assertThat(stats.counted("a")).isEqualTo(2);
    assertThat(stats.counted(PipelineStats.OTHER)).isEqualTo(1);
    assertThat(stats.retained(PipelineStats.OTHER)).isEqualTo(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoints = (Map<String, Object>) stats.snapshot().get("endpoints");
    assertThat(endpoints).containsOnlyKeys("a", "b", PipelineStats.OTHER);
    assertThat(stats.snapshot()).containsEntry("counted", 4L).containsEntry("retained", 1L);
  }

  @Test
  void aCountedTraceThatBecomesRetainedIsNoLongerCounted() {
    PipelineStats stats = new PipelineStats(10);
    stats.traceCounted("a");
    stats.traceRetained("a");
    stats.traceUncounted("a");

    assertThat(stats.counted("a")).isZero();
    assertThat(stats.retained("a")).isEqualTo(1);
    assertThat(stats.counted()).isZero();
  }
}
