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
  private static final Map<String, TrainingSet> SETS = new ConcurrentHashMap<>();

  private RootCausePrior() {}

  /** The prior, trained on first use (about a second): call it off any actor's thread. */
  public static RootCauseRanker ranker(InferenceSettings settings) {
    return TRAINED.computeIfAbsent(key(settings), k -> train(settings));
  }

  /** The prior if it was trained already in this JVM, else null. */
  public static RootCauseRanker ifTrained(InferenceSettings settings) {
    return TRAINED.get(key(settings));
  }

  private static String key(InferenceSettings settings) {
    return settings.priorIncidents() + "/" + settings.priorSeed();
  }

  /** Rows beyond this are subsampled (negatives only), keeping training to a fraction of a second. */
  static final int MAX_ROWS = 5_000;

  /** Labelled evidence rows of the simulated incidents: {@code rows}, {@code labels}. */
  public record TrainingSet(double[][] rows, int[] labels) {}

  /**
   * The prior's rows, simulated on first use (seconds) and kept for this JVM, since a retraining
   * on feedback starts from them again. Shared: do not modify its arrays.
   */
  public static TrainingSet trainingSet(InferenceSettings settings) {
    return SETS.computeIfAbsent(key(settings), k -> simulate(settings));
  }

  private static TrainingSet simulate(InferenceSettings settings) {
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
    int positives = (int) labels.stream().filter(y -> y == 1).count();
    double keepNegative = Math.min(1.0,
        (MAX_ROWS - positives) / (double) Math.max(1, labels.size() - positives));
    java.util.Random sample = new java.util.Random(settings.priorSeed());
    List<double[]> keptRows = new ArrayList<>();
    List<Integer> keptLabels = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (labels.get(i) == 1 || sample.nextDouble() < keepNegative) {
        keptRows.add(rows.get(i));
        keptLabels.add(labels.get(i));
      }
    }
    return new TrainingSet(keptRows.toArray(new double[0][]),
        keptLabels.stream().mapToInt(Integer::intValue).toArray());
  }

  static RootCauseRanker train(InferenceSettings settings) {
    TrainingSet set = trainingSet(settings);
    return RootCauseRanker.train(set.rows(), set.labels(), 1);
  }
}
