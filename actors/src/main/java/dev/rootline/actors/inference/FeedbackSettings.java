package dev.rootline.actors.inference;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * How feedback on root causes trains the ranker and retunes capture, read from {@code
 * rootline.actors.trace.scorer.inference.feedback} (defaults and meaning in the actors module's
 * reference.conf).
 *
 * @param labelWeight times each labelled row counts against the prior's rows ({@link
 *     RankerTraining#train}), at least 1
 * @param heldBackShare share of issues whose labels judge a retrained model ({@link
 *     RankerTraining#split}), in [0, 1)
 * @param occurrencesPerFeedback recent occurrences of an issue one feedback turns into labels
 * @param confirmedNormalShare the tuner's rule: a service with a confirmed root cause keeps at
 *     least this share of its normal traces, in [0, 1]
 */
public record FeedbackSettings(
    int labelWeight, double heldBackShare, int occurrencesPerFeedback, double confirmedNormalShare) {

  public FeedbackSettings {
    if (labelWeight < 1 || occurrencesPerFeedback < 1) {
      throw new IllegalArgumentException(
          "inference.feedback: label-weight and occurrences-per-feedback must be at least 1");
    }
    if (!(heldBackShare >= 0 && heldBackShare < 1)) {
      throw new IllegalArgumentException("inference.feedback.held-back-share must be in [0, 1): " + heldBackShare);
    }
    if (!(confirmedNormalShare >= 0 && confirmedNormalShare <= 1)) {
      throw new IllegalArgumentException(
          "inference.feedback.confirmed-normal-share must be in [0, 1]: " + confirmedNormalShare);
    }
  }

  public static FeedbackSettings create(Config c) {
    return new FeedbackSettings(c.getInt("label-weight"), c.getDouble("held-back-share"),
        c.getInt("occurrences-per-feedback"), c.getDouble("confirmed-normal-share"));
  }

  /** The defaults as reference.conf has them (for tests and tools without a config). */
  public static FeedbackSettings fromReference() {
    return create(ConfigFactory.load().getConfig("rootline.actors.trace.scorer.inference.feedback"));
  }
}
