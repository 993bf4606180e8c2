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
    RootCauseRanker candidate =
        RankerTraining.train(
            RootCausePrior.trainingSet(settings.inference()), split.training(), settings.labelWeight(),
            version);
    RootCauseRanker live = RootCauseRanker.ofWeights(liveWeights, liveVersion);
    RankerTraining.Metrics candidateMetrics = RankerTraining.evaluate(candidate, split.heldBack());
    RankerTraining.Metrics liveMetrics = RankerTraining.evaluate(live, split.heldBack());
    return decide(
        version,
        candidate.weights(),
        split.training().size(),
        split.heldBack().size(),
        candidateMetrics,
        liveVersion,
        liveMetrics);
  }

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
