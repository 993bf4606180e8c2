package dev.rootline.actors.model;

import dev.rootline.persistence.CborSerializable;

/**
 * One trained version of a model as the entity knows it.
 *
 * @param weights the ranker's weights ({@code RootCauseRanker.ofWeights(weights, version)})
 * @param labels labels it was trained on
 * @param heldBack labels held back to judge it
 * @param candidate its metrics on the held-back labels (null for the prior)
 * @param live the then-live model's metrics on the same labels (null for the prior)
 * @param comparedTo the version it was compared with (0: none)
 * @param status one of {@link #TRAINED}, {@link #LIVE}, {@link #SUPERSEDED}, {@link
 *     #ROLLED_BACK}, {@link #REJECTED}
 * @param reason why it was promoted, rejected or rolled back (the latest of these)
 */
public record ModelVersion(
    long version,
    double[] weights,
    long trainedAtMillis,
    int labels,
    int heldBack,
    ModelMetrics candidate,
    ModelMetrics live,
    long comparedTo,
    String status,
    String reason)
    implements CborSerializable {

  /** Trained, not yet judged (never seen outside the entity: judging persists with training). */
  public static final String TRAINED = "trained";
  /** The version rankers use now. */
  public static final String LIVE = "live";
  /** Was live until a newer version was promoted. */
  public static final String SUPERSEDED = "superseded";
  /** Was live until an operator rolled back from it. */
  public static final String ROLLED_BACK = "rolled-back";
  /** Did worse than the live model on held-back labels; never live. */
  public static final String REJECTED = "rejected";

  public ModelVersion {
    weights = weights.clone();
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  /** True when this version was live at some time (a rollback may return to it). */
  public boolean wasPromoted() {
    return LIVE.equals(status) || SUPERSEDED.equals(status) || ROLLED_BACK.equals(status);
  }

  ModelVersion withStatus(String newStatus, String newReason) {
    return new ModelVersion(
        version, weights, trainedAtMillis, labels, heldBack, candidate, live, comparedTo, newStatus,
        newReason == null ? reason : newReason);
  }

  // Records compare arrays by identity: compare the weights' values instead.
  @Override
  public boolean equals(Object o) {
    return o instanceof ModelVersion v
        && version == v.version
        && java.util.Arrays.equals(weights, v.weights)
        && trainedAtMillis == v.trainedAtMillis
        && labels == v.labels
        && heldBack == v.heldBack
        && java.util.Objects.equals(candidate, v.candidate)
        && java.util.Objects.equals(live, v.live)
        && comparedTo == v.comparedTo
        && java.util.Objects.equals(status, v.status)
        && java.util.Objects.equals(reason, v.reason);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(version, trainedAtMillis, labels, status) * 31
        + java.util.Arrays.hashCode(weights);
  }
}
