package dev.rootline.actors.model;

import dev.rootline.actors.inference.RankerTraining;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.actors.inference.RootCausePrior;
import dev.rootline.actors.inference.RootCauseRanker;
import java.util.List;

/**
 * One background training of the root-cause model: split the labels by issue, train a candidate
 * on the prior's simulated rows plus the training labels, and compare it with the live model on
 * the held-back labels. Pure computation (seconds of CPU): run it off any actor's thread.
 */
final class ModelTraining {

  private ModelTraining() {}

  /**
   * What a training produced and what the promotion rule made of it.
   *
   * @param labelsUsed labels the candidate was trained on
   * @param heldBack labels held back
   */
  record Result(
      long version,
      double[] weights,
      int labelsUsed,
      int heldBack,
      ModelMetrics candidate,
      ModelMetrics live,
      boolean promote,
      String reason) {}

  static Result run(
      ModelSettings settings,
      List<RankingLabel> labels,
      long version,
      long liveVersion,
      double[] liveWeights) {
    RankerTraining.Split split = RankerTraining.split(labels, settings.heldBackShare());
    // Labels of one or two issues would all fall on one side of the split, and a model trained on
    // none of them changes nothing: until there are enough issues, every label trains.
    long issues = labels.stream().map(RankingLabel::issueId).distinct().count();
    if (issues < MIN_ISSUES_TO_HOLD_BACK || split.training().isEmpty()) {
      split = new RankerTraining.Split(labels, List.of());
    }
    RootCauseRanker candidate =
        RankerTraining.train(
            RootCausePrior.trainingSet(settings.inference()), split.training(), settings.labelWeight(),
            version);
    RootCauseRanker live = RootCauseRanker.ofWeights(liveWeights, liveVersion);
    RankerTraining.Metrics candidateMetrics = RankerTraining.evaluate(candidate, split.heldBack());
    RankerTraining.Metrics liveMetrics = RankerTraining.evaluate(live, split.heldBack());
    // By service too: a model can keep the exact candidate's rank yet lose the service it lies
    // in (seen on Nezha: same AC@k by candidate, AC@3 by service 40% -> 20%).
    boolean servicesNoWorse =
        RankerTraining.evaluateByService(candidate, split.heldBack())
            .notWorseThan(RankerTraining.evaluateByService(live, split.heldBack()));
    Result result =
        decide(
            version,
            candidate.weights(),
            split.training().size(),
            split.heldBack().size(),
            candidateMetrics,
            liveVersion,
            liveMetrics);
    if (result.promote() && !servicesNoWorse && candidateMetrics.rankings() > 0) {
      return new Result(result.version(), result.weights(), result.labelsUsed(), result.heldBack(),
          result.candidate(), result.live(), false,
          "worse by service on the held-back rankings (" + result.reason() + ")");
    }
    return result;
  }

  /** Fewer distinct issues than this among the labels: none is held back. */
  static final int MIN_ISSUES_TO_HOLD_BACK = 3;

  /**
   * The promotion rule: the candidate goes live when its AC@1 and AC@3 on the held-back labels are
   * at least the live model's (ties promote: the candidate has seen more feedback). With no
   * rankable held-back label there is nothing to compare, and it is promoted saying so.
   */
  static Result decide(
      long version,
      double[] weights,
      int labelsUsed,
      int heldBack,
      RankerTraining.Metrics candidate,
      long liveVersion,
      RankerTraining.Metrics live) {
    ModelMetrics c = metrics(candidate);
    ModelMetrics l = metrics(live);
    if (candidate.rankings() == 0) {
      return new Result(version, weights, labelsUsed, heldBack, c, l, true,
          "no rankable held-back label (" + heldBack + " held back): promoted without comparison");
    }
    boolean noWorse = candidate.notWorseThan(live);
    String comparison =
        "AC@1 " + pct(c.ac1()) + " AC@3 " + pct(c.ac3()) + " vs AC@1 " + pct(l.ac1()) + " AC@3 "
            + pct(l.ac3()) + " of live v" + liveVersion + " on " + c.rankings() + " held-back rankings";
    return new Result(version, weights, labelsUsed, heldBack, c, l, noWorse,
        (noWorse ? "no worse: " : "worse: ") + comparison);
  }

  private static String pct(double share) {
    return Math.round(share * 100) + "%";
  }

  static ModelMetrics metrics(RankerTraining.Metrics m) {
    return new ModelMetrics(m.rankings(), m.ac1(), m.ac3(), m.ac5(), m.meanRank());
  }
}
