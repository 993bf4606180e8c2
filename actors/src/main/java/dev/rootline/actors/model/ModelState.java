package dev.rootline.actors.model;

import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a Model entity knows, rebuilt from its events (or a snapshot). Immutable; labels are bounded
 * by {@code max-labels} (the newest kept), versions by {@code max-versions} (the live one is
 * always kept).
 *
 * @param labels feedback labels, oldest first
 * @param labelsAdded labels ever added (not bounded): with {@code trainedMark} it tells how many
 *     are new since the last training
 * @param trainedMark {@code labelsAdded} when the last training started
 * @param versions trained versions, oldest first
 * @param live the live version (0: none yet, the prior is still being trained)
 * @param generation how many times the live version changed: followers apply a change only once,
 *     and never an older one after a newer
 */
public record ModelState(
    List<RankingLabel> labels,
    long labelsAdded,
    long trainedMark,
    List<ModelVersion> versions,
    long live,
    long generation)
    implements CborSerializable {

  public static final ModelState EMPTY = new ModelState(List.of(), 0, 0, List.of(), 0, 0);

  public ModelState {
    labels = List.copyOf(labels);
    versions = List.copyOf(versions);
  }

  /** "feedbackId|traceId": one label per feedback and occurrence. */
  static String labelKey(RankingLabel label) {
    return label.feedbackId() + "|" + label.traceId();
  }

  Set<String> labelKeys() {
    Set<String> keys = new HashSet<>(labels.size() * 2);
    for (RankingLabel l : labels) {
      keys.add(labelKey(l));
    }
    return keys;
  }

  /** Labels added since the last training started. */
  long newLabels() {
    return labelsAdded - trainedMark;
  }

  /** The highest version trained so far (0: none). */
  long lastVersion() {
    return versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
  }

  ModelVersion version(long version) {
    for (ModelVersion v : versions) {
      if (v.version() == version) {
        return v;
      }
    }
    return null;
  }

  ModelVersion liveVersion() {
    return live == 0 ? null : version(live);
  }

  /**
   * Where a rollback without a named version goes: the newest version below the live one that was
   * live before and was not itself rolled back from; null when there is none.
   */
  ModelVersion previousPromoted() {
    for (int i = versions.size() - 1; i >= 0; i--) {
      ModelVersion v = versions.get(i);
      if (v.version() < live && ModelVersion.SUPERSEDED.equals(v.status())) {
        return v;
      }
    }
    return null;
  }

  ModelState withLabels(ModelEvent.LabelsAdded event, ModelSettings settings) {
    List<RankingLabel> all = new ArrayList<>(labels.size() + event.labels().size());
    all.addAll(labels);
    all.addAll(event.labels());
    int drop = Math.max(0, all.size() - settings.maxLabels());
    return new ModelState(
        all.subList(drop, all.size()),
        labelsAdded + event.labels().size(),
        trainedMark,
        versions,
        live,
        generation);
  }

  ModelState withTrained(ModelEvent.ModelTrained e, ModelSettings settings) {
    List<ModelVersion> all = new ArrayList<>(versions);
    all.add(
        new ModelVersion(
            e.version(), e.weights(), e.atMillis(), e.labelsUsed(), e.heldBack(), e.candidate(),
            e.live(), e.comparedTo(), ModelVersion.TRAINED, null));
    // Forget the oldest versions beyond the bound, but never the live one.
    while (all.size() > settings.maxVersions()) {
      int oldest = all.get(0).version() == live ? 1 : 0;
      all.remove(oldest);
    }
    return new ModelState(labels, labelsAdded, Math.max(trainedMark, e.labelMark()), all, live, generation);
  }

  ModelState withPromoted(ModelEvent.ModelPromoted e) {
    List<ModelVersion> all = new ArrayList<>(versions.size());
    for (ModelVersion v : versions) {
      if (v.version() == e.version()) {
        all.add(v.withStatus(ModelVersion.LIVE, e.reason()));
      } else if (v.version() == live) {
        all.add(v.withStatus(ModelVersion.SUPERSEDED, null));
      } else {
        all.add(v);
      }
    }
    return new ModelState(labels, labelsAdded, trainedMark, all, e.version(), generation + 1);
  }

  ModelState withRejected(ModelEvent.ModelRejected e) {
    List<ModelVersion> all = new ArrayList<>(versions.size());
    for (ModelVersion v : versions) {
      all.add(v.version() == e.version() ? v.withStatus(ModelVersion.REJECTED, e.reason()) : v);
    }
    return new ModelState(labels, labelsAdded, trainedMark, all, live, generation);
  }

  ModelState withRolledBack(ModelEvent.RolledBack e) {
    List<ModelVersion> all = new ArrayList<>(versions.size());
    for (ModelVersion v : versions) {
      if (v.version() == e.toVersion()) {
        all.add(v.withStatus(ModelVersion.LIVE, e.reason()));
      } else if (v.version() == e.fromVersion()) {
        all.add(v.withStatus(ModelVersion.ROLLED_BACK, e.reason()));
      } else {
        all.add(v);
      }
    }
    return new ModelState(labels, labelsAdded, trainedMark, all, e.toVersion(), generation + 1);
  }
}
