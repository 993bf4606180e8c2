package dev.rootline.actors.model;

import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.CborSerializable;
import java.util.List;

/** What happened to a model; the events of a {@link ModelEntity} ("Model|name"). */
public sealed interface ModelEvent extends CborSerializable {

  /** Feedback labels the model will learn from (already deduplicated by feedback and trace). */
  record LabelsAdded(List<RankingLabel> labels, long atMillis) implements ModelEvent {
    public LabelsAdded {
      labels = List.copyOf(labels);
    }
  }

  /**
   * A new version was trained (version 1: the prior, without labels or metrics).
   *
   * @param weights the ranker's weights ({@code RootCauseRanker.weights()})
   * @param labelsUsed labels the candidate was trained on
   * @param heldBack labels held back to compare it with the live model
   * @param labelMark the count of labels ever added when training started: labels added after it
   *     are "new" for the next training
   * @param candidate the candidate's metrics on the held-back labels (null for the prior)
   * @param live the live model's metrics on the same labels (null for the prior)
   * @param comparedTo the live version it was compared with (0: none)
   */
  record ModelTrained(
      long version,
      double[] weights,
      int labelsUsed,
      int heldBack,
      long labelMark,
      ModelMetrics candidate,
      ModelMetrics live,
      long comparedTo,
      long atMillis)
      implements ModelEvent {
    public ModelTrained {
      weights = weights.clone();
    }
  }

  /** The version is live from now on; the live one before it is superseded. */
  record ModelPromoted(long version, String reason, long atMillis) implements ModelEvent {}

  /** The version did worse than the live model and never went live. */
  record ModelRejected(long version, String reason, long atMillis) implements ModelEvent {}

  /** An operator made an earlier promoted version live again. */
  record RolledBack(long fromVersion, long toVersion, String reason, long atMillis)
      implements ModelEvent {}
}
