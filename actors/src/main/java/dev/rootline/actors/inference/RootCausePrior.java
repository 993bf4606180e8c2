package dev.rootline.actors.inference;

import dev.rootline.actors.trace.CompletedTrace;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ranking model before any feedback: trained on {@link SimulatedIncidents} (never on
 * evaluation data) through the same judge code that ranks real traces, so the evidence it learns
 * from is computed exactly as in production. Deterministic for a given seed; trained once per
 * (incidents, seed) per JVM, since every judge of a replay would otherwise train it again.
 */
public final class RootCausePrior {

  private static final Map<String, RootCauseRanker> TRAINED = new ConcurrentHashMap<>();

  private RootCausePrior() {}

  public static RootCauseRanker ranker(InferenceSettings settings) {
    return TRAINED.computeIfAbsent(settings.priorIncidents() + "/" + settings.priorSeed(),
        k -> train(settings));
  }

  /** Labelled evidence rows of the simulated incidents: {@code rows}, {@code labels}. */
  public record TrainingSet(double[][] rows, int[] labels) {}

  public static TrainingSet trainingSet(InferenceSettings settings) {
    List<double[]> rows = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    // Isolation forests play no part in the ranking's evidence: keep them out (min-train huge).
    ScorerSettings scorer =
        new ScorerSettings(0.65, 1_000_000, 1_000_000, 1_000_000, 1000, 10, 16, 1, settings);
    for (SimulatedIncidents.Incident incident :
        SimulatedIncidents.generate(settings.priorIncidents(), settings.priorSeed())) {
      TraceJudge judge = TraceJudge.withRanker(scorer, RootCauseRanker.fallback());
      for (List<Span> t : incident.normal()) {
        judge.judge(CompletedTrace.of(t.get(0).traceId(), t));
      }
      String cause = incident.cause().key();
      for (List<Span> t : incident.faulty()) {
        TraceJudge.Judgement j = judge.judge(CompletedTrace.of(t.get(0).traceId(), t));
        boolean hasCause = j.candidates().stream().anyMatch(c -> c.candidate().key().equals(cause));
        if (!hasCause) {
          continue;
        }
        for (CandidateEvidence c : j.candidates()) {
          rows.add(c.vector());
          labels.add(c.candidate().key().equals(cause) ? 1 : 0);
        }
      }
    }
    return new TrainingSet(rows.toArray(new double[0][]),
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  static RootCauseRanker train(InferenceSettings settings) {
    TrainingSet set = trainingSet(settings);
    return RootCauseRanker.train(set.rows(), set.labels(), 1);
  }
}
