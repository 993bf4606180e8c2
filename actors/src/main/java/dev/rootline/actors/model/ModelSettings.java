package dev.rootline.actors.model;

import com.typesafe.config.Config;
import dev.rootline.actors.inference.InferenceSettings;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.actors.trace.TraceSettings;
import java.time.Duration;

/**
 * Settings of the Model entity and its followers: {@code rootline.actors.model} (defaults and
 * meaning in this module's reference.conf), plus the inference settings the scorer uses ({@code
 * rootline.actors.trace.scorer.inference}), since the prior (version 1) must be the one every
 * scorer starts with.
 *
 * @param retrainAfterLabels retrain once this many new labels arrived since the last training
 * @param retrainInterval retrain on this timer when new labels exist (zero: no timer)
 * @param maxLabels labels kept per model, the newest
 * @param maxVersions versions kept per model, the newest (and always the live one)
 * @param heldBackShare share of labels (by issue) held back to compare candidate and live model
 * @param labelWeight times one feedback label's rows count against one simulated row of the prior
 * @param snapshotEvery snapshot after this many events
 * @param resyncInterval how often a follower asks the entity for the live model
 * @param askTimeout how long a follower waits for that answer
 * @param inference the scorer's inference settings (the prior's simulation)
 */
public record ModelSettings(
    int retrainAfterLabels,
    Duration retrainInterval,
    int maxLabels,
    int maxVersions,
    double heldBackShare,
    int labelWeight,
    int snapshotEvery,
    Duration resyncInterval,
    Duration askTimeout,
    InferenceSettings inference) {

  public static final String PATH = "rootline.actors.model";

  /** Where training runs (see reference.conf). */
  public static final String TRAINING_DISPATCHER = PATH + ".training-dispatcher";

  public ModelSettings {
    if (retrainAfterLabels < 1) {
      throw new IllegalArgumentException("retrain-after-labels must be at least 1: " + retrainAfterLabels);
    }
    if (retrainInterval == null || retrainInterval.isNegative()) {
      throw new IllegalArgumentException("retrain-interval must not be negative: " + retrainInterval);
    }
    if (maxLabels < 1) {
      throw new IllegalArgumentException("max-labels must be at least 1: " + maxLabels);
    }
    if (maxVersions < 2) {
      throw new IllegalArgumentException("max-versions must be at least 2: " + maxVersions);
    }
    if (!(heldBackShare >= 0 && heldBackShare < 1)) {
      throw new IllegalArgumentException("held-back-share must be in [0, 1): " + heldBackShare);
    }
    if (labelWeight < 1) {
      throw new IllegalArgumentException("label-weight must be positive: " + labelWeight);
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("snapshot-every must be at least 1: " + snapshotEvery);
    }
    if (resyncInterval == null || resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException("resync-interval must be positive: " + resyncInterval);
    }
    if (askTimeout == null || askTimeout.isNegative() || askTimeout.isZero()) {
      throw new IllegalArgumentException("ask-timeout must be positive: " + askTimeout);
    }
    if (inference == null) {
      throw new IllegalArgumentException("inference settings are missing");
    }
  }

  /** Reads {@code rootline.actors.model} and the scorer's inference settings from the whole config. */
  public static ModelSettings create(Config config) {
    Config c = config.getConfig(PATH);
    String scorer = TraceSettings.PATH + ".scorer";
    InferenceSettings inference =
        config.hasPath(scorer)
            ? ScorerSettings.create(config.getConfig(scorer)).inference()
            : InferenceSettings.DEFAULTS;
    return new ModelSettings(
        c.getInt("retrain-after-labels"),
        c.getDuration("retrain-interval"),
        c.getInt("max-labels"),
        c.getInt("max-versions"),
        c.getDouble("held-back-share"),
        c.getInt("label-weight"),
        c.getInt("snapshot-every"),
        c.getDuration("resync-interval"),
        c.getDuration("ask-timeout"),
        inference);
  }
}
