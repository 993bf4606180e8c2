package dev.rootline.actors.inference;

import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import smile.classification.LogisticRegression;

/**
 * Turns candidates' evidence into probabilities that sum to 1: a Smile logistic regression gives
 * each candidate's log-odds of being the root cause, a softmax over the candidates of one ranking
 * normalises them. Immutable; one instance may serve any number of judges.
 *
 * <p>A ranker is its weights: one per evidence dimension, then the intercept ({@link #weights()}).
 * The log-odds are computed from them directly, so a ranker rebuilt from stored weights ({@link
 * #ofWeights}) ranks exactly as the one they were taken from.
 *
 * <p>Without a trained model (none can be trained, e.g. a single class) it falls back to fixed
 * weights over the same evidence (version 0), so a ranking is never missing.
 */
public final class RootCauseRanker {

  // Used only when no model could be trained: origin and errors weigh most, as in the prior.
  private static final double[] FALLBACK =
      {1.0, 3.0, 1.0, 0.5, 1.0, 0.2, 1.0, 1.0, 1.0, 3.0, 0.5, 1.0, 0, 0.2, 0.1, 0, -2};

  /** One weight per evidence dimension ({@link CandidateEvidence#NAMES}), then the intercept. */
  private final double[] weights;
  private final long version;

  private RootCauseRanker(double[] weights, long version) {
    this.weights = weights;
    this.version = version;
  }

  /** A ranker by fixed weights (version 0). */
  public static RootCauseRanker fallback() {
    return new RootCauseRanker(FALLBACK.clone(), 0);
  }

  /**
   * The ranker of stored weights ({@link #weights()} of another ranker): {@link
   * CandidateEvidence#DIMENSIONS} + 1 finite numbers, the intercept last.
   *
   * @throws IllegalArgumentException when the weights are not of that shape
   */
  public static RootCauseRanker ofWeights(double[] weights, long version) {
    if (weights == null || weights.length != CandidateEvidence.DIMENSIONS + 1) {
      throw new IllegalArgumentException("a ranker has " + (CandidateEvidence.DIMENSIONS + 1)
          + " weights (one per evidence dimension, then the intercept), got "
          + (weights == null ? "none" : weights.length));
    }
    for (double w : weights) {
      if (!Double.isFinite(w)) {
        throw new IllegalArgumentException("a ranker's weights are finite: " + Arrays.toString(weights));
      }
    }
    if (version < 0) {
      throw new IllegalArgumentException("a ranker's version is not negative: " + version);
    }
    return new RootCauseRanker(weights.clone(), version);
  }

  /**
   * Trains on labelled evidence rows (label 1: the candidate was the root cause). L2-regularised
   * so that a small simulated set cannot drive weights to infinity. Rows that cannot train a model
   * (fewer than 4, or a single class) give the fallback.
   */
  public static RootCauseRanker train(double[][] rows, int[] labels, long version) {
    boolean positives = false;
    boolean negatives = false;
    for (int y : labels) {
      positives |= y == 1;
      negatives |= y == 0;
    }
    if (rows.length < 4 || !positives || !negatives) {
      return fallback();
    }
    LogisticRegression.Binomial model = LogisticRegression.binomial(rows, labels, 0.1, 1e-5, 200);
    // Smile keeps the intercept after the per-dimension weights, as this class does.
    return new RootCauseRanker(model.coefficients().clone(), version);
  }

  public long version() {
    return version;
  }

  /** The weights: one per evidence dimension ({@link CandidateEvidence#NAMES}), then the intercept. */
  public double[] weights() {
    return weights.clone();
  }

  /** The log-odds that a candidate with this evidence is the root cause. */
  public double logit(double[] x) {
    int p = weights.length - 1;
    double z = weights[p];
    for (int i = 0; i < x.length && i < p; i++) {
      z += weights[i] * x[i];
    }
    return z;
  }
  /**
   * The ranking: at most {@code max} candidates, most likely first, probabilities summing to 1
   * (the softmax is taken over all candidates, then the kept ones are renormalised). Each
   * candidate carries the evidence vector it was scored on ({@link RootCause#features()}), so
   * that feedback on it can later become a labelled training row.
   */
  public List<RootCause> rank(List<CandidateEvidence> evidence, int max) {
    if (evidence.isEmpty()) {
      return List.of();
    }
    double[] z = new double[evidence.size()];
    double top = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < z.length; i++) {
      z[i] = logit(evidence.get(i).vector());
      top = Math.max(top, z[i]);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < z.length; i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -z[i])
        .thenComparing(i -> evidence.get(i).candidate().key()));
    List<Integer> kept = order.subList(0, Math.min(max, order.size()));
    double sum = 0;
    for (int i : kept) {
      sum += Math.exp(z[i] - top);
    }
    List<RootCause> out = new ArrayList<>(kept.size());
    for (int i : kept) {
      Candidate c = evidence.get(i).candidate();
      out.add(new RootCause(c.level(), c.subject(), c.service(), c.host(),
          Math.exp(z[i] - top) / sum, evidence.get(i).words(), evidence.get(i).vector()));
    }
    return List.copyOf(out);
  }
}
