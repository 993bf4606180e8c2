package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.inference.RootCausePrior;
import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TraceScorerTest {

  private static ActorTestKit testKit;
  private static ScorerSettings settings;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "TraceScorerTest",
            ConfigFactory.parseString(
                    """
                    rootline.actors.trace.scorer {
                      min-train = 200
                      retrain-every = 100000
                      # Retention by rules and model only: no normal trace sampled as baseline.
                      inference.baseline-sample = 0
                    }
                    """)
                .withFallback(ConfigFactory.load()));
    settings = TraceSettings.create(testKit.system().settings().config()).scorer();
    // Trained once per JVM on the training dispatcher; warmed here so that the timed waits for
    // isolation-forest versions below do not queue behind it.
    RootCausePrior.ranker(settings.inference());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void failingTraceIsRetainedByRulesBeforeAnyModel() {
    ActorRef<TraceScorer.Command> scorer = spawnScorer();
    List<Span> spans = new ArrayList<>(TestSpans.checkout("python3:7001", "/fail", 20, 1000));
    spans.set(2, TestSpans.withStatus(spans.get(2), 500));

    Decision decision = score(scorer, CompletedTrace.of(spans.get(0).traceId(), spans));

    assertThat(decision.retain()).isTrue();
    assertThat(decision.modelVersion()).isZero();
    assertThat(decision.reasons()).containsExactly("status 500 from python3:8082 GET /stock/7");
  }

  @Test
  void withoutModelNormalTracesAreOnlyCounted() {
    ActorRef<TraceScorer.Command> scorer = spawnScorer();
    List<Span> slow = TestSpans.checkout("python3:7002", "/checkout", 5000, 1000);

    Decision decision = score(scorer, CompletedTrace.of(slow.get(0).traceId(), slow));

    assertThat(decision.retain()).isFalse();
    assertThat(decision.anomalyScore()).isZero();
    assertThat(decision.reasons()).isEmpty();
  }

  @Test
  void isolationForestFlagsA50xSlowerTraceAndNotATypicalOne() {
    ActorRef<TraceScorer.Command> scorer = spawnScorer();
    String endpoint = "python3:7003 GET /checkout";
    for (List<Span> trace : TestSpans.typicalCheckouts("python3:7003", 200, 42)) {
      Decision d = score(scorer, CompletedTrace.of(trace.get(0).traceId(), trace));
      assertThat(d.retain()).as("no model yet: only counted").isFalse();
    }
    awaitModelVersion(scorer, endpoint, 1);

    List<Span> typical = TestSpans.checkout("python3:7003", "/checkout?cart=x", 20, 1000);
    Decision typicalDecision = score(scorer, CompletedTrace.of(typical.get(0).traceId(), typical));
    List<Span> slow = TestSpans.checkout("python3:7003", "/checkout?cart=y", 20 * 50, 1000);
    Decision slowDecision = score(scorer, CompletedTrace.of(slow.get(0).traceId(), slow));

    assertThat(typicalDecision.modelVersion()).isEqualTo(1);
    assertThat(typicalDecision.retain()).as("typical: %s", typicalDecision).isFalse();
    assertThat(typicalDecision.anomalyScore()).isBetween(0.0, settings.threshold());
    assertThat(slowDecision.retain()).as("50x slower: %s", slowDecision).isTrue();
    assertThat(slowDecision.anomalyScore()).isGreaterThanOrEqualTo(settings.threshold());
    // The span-level deviations come first, the isolation forest's reason last.
    assertThat(slowDecision.reasons().get(slowDecision.reasons().size() - 1))
        .startsWith("anomaly score ")
        .contains("≥ 0.65 for python3:7003 GET /checkout (duration 1000 ms)");
    assertThat(slowDecision.verdict()).isEqualTo("anomaly");
    assertThat(slowDecision.fingerprint()).matches("[0-9a-f]{16}");
    assertThat(slowDecision.rootCauses()).isNotEmpty();
  }

  @Test
  void modelIsRetrainedAndVersioned() {
    ActorTestKit small =
        ActorTestKit.create(
            "TraceScorerRetrain",
            ConfigFactory.parseString(
                    "rootline.actors.trace.scorer { min-train = 20, retrain-every = 10, window = 30, inference.baseline-sample = 0 }")
                .withFallback(ConfigFactory.load()));
    try {
      ScorerSettings s = TraceSettings.create(small.system().settings().config()).scorer();
      ActorRef<TraceScorer.Command> scorer =
          small.spawn(TraceScorer.create(s), "scorer", TraceScorer.DISPATCHER);
      TestProbe<Decision> probe = small.createTestProbe();
      for (List<Span> trace : TestSpans.typicalCheckouts("python3:7004", 20, 7)) {
        scorer.tell(new TraceScorer.Score(CompletedTrace.of(trace.get(0).traceId(), trace), probe.getRef()));
        probe.receiveMessage();
      }
      awaitModelVersion(small, scorer, "python3:7004 GET /checkout", 1);
      for (List<Span> trace : TestSpans.typicalCheckouts("python3:7004", 10, 8)) {
        scorer.tell(new TraceScorer.Score(CompletedTrace.of(trace.get(0).traceId(), trace), probe.getRef()));
        probe.receiveMessage();
      }
      TraceScorer.ModelStatus status = awaitModelVersion(small, scorer, "python3:7004 GET /checkout", 2);
      assertThat(status.windowTraces()).isEqualTo(30);
      // Span count and services never vary here: the model leaves them out.
      assertThat(status.features()).containsExactly("log duration", "log max self time", "log bytes");
    } finally {
      small.shutdownTestKit();
    }
  }

  @Test
  void trainingIsReproducibleFromItsSeed() {
    List<List<Span>> traces = TestSpans.typicalCheckouts("python3:7005", 100, 3);
    double[][] rows = traces.stream()
        .map(t -> CompletedTrace.of(t.get(0).traceId(), t).features().vector())
        .toArray(double[][]::new);
    double[] probe = CompletedTrace.of("p", TestSpans.checkout("python3:7005", "/checkout", 300, 1000))
        .features().vector();

    double first = AnomalyModel.train(rows, 50, 64, 11, 1).score(probe);
    double second = AnomalyModel.train(rows, 50, 64, 11, 1).score(probe);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void endpointsAreCapped() {
    ActorTestKit small =
        ActorTestKit.create(
            "TraceScorerCap",
            ConfigFactory.parseString("rootline.actors.trace.scorer.max-endpoints = 3")
                .withFallback(ConfigFactory.load()));
    try {
      ScorerSettings s = TraceSettings.create(small.system().settings().config()).scorer();
      ActorRef<TraceScorer.Command> scorer =
          small.spawn(TraceScorer.create(s), "scorer", TraceScorer.DISPATCHER);
      TestProbe<Decision> decisions = small.createTestProbe();
      for (int i = 0; i < 5; i++) {
        List<Span> t = TestSpans.checkout("svc:" + i, "/x", 10, 100);
        scorer.tell(new TraceScorer.Score(CompletedTrace.of(t.get(0).traceId(), t), decisions.getRef()));
        decisions.receiveMessage();
      }
      TestProbe<TraceScorer.ModelStatus> models = small.createTestProbe();
      scorer.tell(new TraceScorer.GetModel("svc:0 GET /x", models.getRef()));
      assertThat(models.receiveMessage().windowTraces()).as("evicted").isZero();
      scorer.tell(new TraceScorer.GetModel("svc:4 GET /x", models.getRef()));
      assertThat(models.receiveMessage().windowTraces()).isEqualTo(1);
    } finally {
      small.shutdownTestKit();
    }
  }

  private ActorRef<TraceScorer.Command> spawnScorer() {
    return testKit.spawn(TraceScorer.create(settings), TraceScorer.DISPATCHER);
  }

  private Decision score(ActorRef<TraceScorer.Command> scorer, CompletedTrace trace) {
    TestProbe<Decision> probe = testKit.createTestProbe();
    scorer.tell(new TraceScorer.Score(trace, probe.getRef()));
    return probe.receiveMessage();
  }

  private void awaitModelVersion(ActorRef<TraceScorer.Command> scorer, String endpoint, long version) {
    awaitModelVersion(testKit, scorer, endpoint, version);
  }

  private static TraceScorer.ModelStatus awaitModelVersion(
      ActorTestKit kit, ActorRef<TraceScorer.Command> scorer, String endpoint, long version) {
    TestProbe<TraceScorer.ModelStatus> probe = kit.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          scorer.tell(new TraceScorer.GetModel(endpoint, probe.getRef()));
          TraceScorer.ModelStatus status = probe.receiveMessage();
          assertThat(status.version()).isGreaterThanOrEqualTo(version);
          return status;
        });
  }
}
