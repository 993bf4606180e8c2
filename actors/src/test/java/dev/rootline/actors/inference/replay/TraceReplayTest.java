package dev.rootline.actors.inference.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.inference.InferenceSettings;
import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceReplayTest {

  private static final ScorerSettings SETTINGS =
      new ScorerSettings(0.65, 64, 32, 32, 100, 20, 32, 1, InferenceSettings.DEFAULTS);

  private static Span span(String trace, String id, String parent, long startMs, long endMs) {
    return new Span(trace, id, parent, Span.Kind.SERVER, "pod-a", "svc", 0, "RPC", "/op", 0,
        startMs * 1_000_000, endMs * 1_000_000, 0, 0, null, null, null, null, null);
  }

  @Test
  void tracesCompleteAfterTheEventTimeQuietPeriodInOrder() {
    List<Span> spans = new ArrayList<>();
    spans.add(span("t1", "a", null, 0, 100));
    spans.add(span("t2", "c", null, 50, 60));
    spans.add(span("t1", "b", "a", 10, 90));
    spans.add(span("t3", "d", null, 3000, 3010));
    List<String> completed = new ArrayList<>();
    TraceReplay replay = new TraceReplay(TraceJudge.inline(SETTINGS), Duration.ofSeconds(1), 100,
        r -> completed.add(r.trace().traceId() + "@" + r.trace().spans().size()));
    spans.sort(java.util.Comparator.comparingLong(Span::startEpochNanos));
    spans.forEach(replay::offer);

    assertThat(completed).as("t3's start moved event time past both deadlines").containsExactly("t2@1", "t1@2");
    replay.offer(span("t1", "late", "a", 3001, 3002));
    assertThat(replay.late()).isEqualTo(1);
    replay.flush();
    assertThat(completed).containsExactly("t2@1", "t1@2", "t3@1");
  }

  @Test
  void sameInputSameDecisions() {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      long t = i * 100L;
      spans.add(span("t" + i, "r" + i, null, t, t + 20 + (i % 7)));
      spans.add(span("t" + i, "c" + i, "r" + i, t + 2, t + 12 + (i % 5) + (i > 350 ? 200 : 0)));
    }
    List<List<Object>> first = decisions(spans);
    List<List<Object>> second = decisions(spans);

    assertThat(first).hasSize(400).isEqualTo(second);
    assertThat(first.subList(360, 400)).anySatisfy(d -> assertThat(d.get(0)).isEqualTo("anomaly"));
  }

  // Compared as values (RootCause compares its evidence vector by value; its toString does not
  // show the vector's values).
  private static List<List<Object>> decisions(List<Span> spans) {
    return TraceReplay.replay(TraceJudge.inline(SETTINGS), spans, Duration.ofSeconds(1), 100).stream()
        .map(r -> List.<Object>of(r.judgement().decision().verdict(),
            r.judgement().decision().anomalyScore(), r.judgement().decision().rootCauses()))
        .toList();
  }
}
