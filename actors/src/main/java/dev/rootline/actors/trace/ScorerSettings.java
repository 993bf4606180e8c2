package dev.rootline.actors.trace;

import com.typesafe.config.Config;
import dev.rootline.actors.inference.InferenceSettings;

/**
 * Settings of the {@link TraceScorer}, read from {@code rootline.actors.trace.scorer}.
 *
 * @param threshold anomaly score at or above which a trace is retained (0..1]
 * @param window recent non-failing traces per endpoint kept to train on
 * @param retrainEvery retrain an endpoint's model after this many new traces
 * @param minTrain traces of an endpoint needed before its first model
 * @param maxEndpoints endpoints tracked at once (least recently scored forgotten beyond)
 * @param trees isolation trees per model
 * @param subsample traces sampled per tree (capped by the window's size)
 * @param seed base seed of training
 * @param inference baselines, retention sample and root-cause ranking ({@code scorer.inference})
 */
public record ScorerSettings(
    double threshold,
    int window,
    int retrainEvery,
    int minTrain,
    int maxEndpoints,
    int trees,
    int subsample,
    long seed,
    InferenceSettings inference) {

  /** The isolation-forest settings with the inference defaults. */
  public ScorerSettings(double threshold, int window, int retrainEvery, int minTrain,
      int maxEndpoints, int trees, int subsample, long seed) {
    this(threshold, window, retrainEvery, minTrain, maxEndpoints, trees, subsample, seed,
        InferenceSettings.DEFAULTS);
  }

  public ScorerSettings {
    if (!(threshold > 0.0 && threshold <= 1.0)) {
      throw new IllegalArgumentException("scorer.threshold must be in (0, 1]: " + threshold);
    }
    if (minTrain < 2) {
      throw new IllegalArgumentException("scorer.min-train must be at least 2: " + minTrain);
    }
    if (window < minTrain) {
      throw new IllegalArgumentException(
          "scorer.window (" + window + ") must be at least scorer.min-train (" + minTrain + ")");
    }
    if (inference == null) {
      throw new IllegalArgumentException("scorer.inference settings are missing");
    }
    if (retrainEvery < 1 || maxEndpoints < 1 || trees < 1 || subsample < 2) {
      throw new IllegalArgumentException(
          "scorer.retrain-every, max-endpoints and trees must be >= 1, subsample >= 2");
    }
  }

  /** Reads the {@code scorer} block (the config given is {@code rootline.actors.trace}). */
  public static ScorerSettings create(Config scorer) {
    return new ScorerSettings(
        scorer.getDouble("threshold"),
        scorer.getInt("window"),
        scorer.getInt("retrain-every"),
        scorer.getInt("min-train"),
        scorer.getInt("max-endpoints"),
        scorer.getInt("trees"),
        scorer.getInt("subsample"),
        scorer.getLong("seed"),
        scorer.hasPath("inference")
            ? InferenceSettings.create(scorer.getConfig("inference"))
            : InferenceSettings.DEFAULTS);
  }
}
