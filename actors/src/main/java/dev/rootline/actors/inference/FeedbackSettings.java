package dev.rootline.actors.inference;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * How feedback on root causes trains the ranker and retunes capture, as one record for offline
 * tools ({@code ./rootline eval --feedback}); read from the settings the live system uses (see
 * {@link #create}).
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
          "model.label-weight and issue.labels-per-feedback must be at least 1");
    }
    if (!(heldBackShare >= 0 && heldBackShare < 1)) {
      throw new IllegalArgumentException("model.held-back-share must be in [0, 1): " + heldBackShare);
    }
    if (!(confirmedNormalShare >= 0 && confirmedNormalShare <= 1)) {
      throw new IllegalArgumentException(
          "feedback.tuner.boost-normal-share must be in [0, 1]: " + confirmedNormalShare);
    }
  }

  /**
   * The settings the running system uses, from the whole config, so an evaluation learns exactly
   * as a node does: label weight and held-back share of the Model entity ({@code
   * rootline.actors.model}), occurrences per feedback of the Issue entity ({@code
   * rootline.actors.issue.labels-per-feedback}), the tuner's normal-trace share for a confirmed
   * service ({@code rootline.actors.feedback.tuner.boost-normal-share}).
   */
  public static FeedbackSettings create(Config config) {
    return new FeedbackSettings(
        config.getInt("rootline.actors.model.label-weight"),
        config.getDouble("rootline.actors.model.held-back-share"),
        config.getInt("rootline.actors.issue.labels-per-feedback"),
        config.getDouble("rootline.actors.feedback.tuner.boost-normal-share"));
  }

  /** The defaults as reference.conf has them (for tests and tools without a config). */
  public static FeedbackSettings fromReference() {
    return create(ConfigFactory.load());
  }
}
