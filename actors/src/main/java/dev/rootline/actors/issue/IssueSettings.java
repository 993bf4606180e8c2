package dev.rootline.actors.issue;

import com.typesafe.config.Config;
import dev.rootline.persistence.IssuePriority;
import dev.rootline.persistence.IssueTimeline;
import java.time.Duration;

/**
 * Settings of the Issue entity: {@code rootline.actors.issue} (defaults and their meaning in this
 * module's reference.conf), plus the timeline bucket and the priority formula the read side
 * shares ({@code rootline.persistence.issues}).
 *
 * @param dedupWindow trace ids remembered per issue: a trace recorded again within them counts once
 * @param examples example trace ids kept per issue, newest first
 * @param rankingWindow occurrences whose rankings make the issue's ranking (RootCauseTally)
 * @param timelineBuckets timeline buckets kept in the entity's state (the newest ones)
 * @param snapshotEvery snapshot the state after this many events (recovery replays fewer)
 * @param publishInterval an issue's summary is published at most once per interval (the first
 *     occurrence at once, later ones coalesced)
 * @param labelsPerFeedback at most this many recent occurrences become labelled rankings per feedback
 * @param feedbackRetry how long to wait before sending a feedback the models or the tuner did not
 *     take again
 */
public record IssueSettings(
    int dedupWindow,
    int examples,
    int rankingWindow,
    int timelineBuckets,
    int snapshotEvery,
    Duration publishInterval,
    int labelsPerFeedback,
    Duration feedbackRetry,
    IssueTimeline timeline,
    IssuePriority priority) {

  public static final String PATH = "rootline.actors.issue";

  public IssueSettings {
    requireAtLeast1("dedup-window", dedupWindow);
    requireAtLeast1("examples", examples);
    requireAtLeast1("ranking-window", rankingWindow);
    requireAtLeast1("timeline-buckets", timelineBuckets);
    requireAtLeast1("snapshot-every", snapshotEvery);
    if (publishInterval == null || publishInterval.isNegative()) {
      throw new IllegalArgumentException("publish-interval must not be negative: " + publishInterval);
    }
    requireAtLeast1("labels-per-feedback", labelsPerFeedback);
    if (feedbackRetry == null || feedbackRetry.isNegative() || feedbackRetry.isZero()) {
      throw new IllegalArgumentException("feedback-retry must be positive: " + feedbackRetry);
    }
  }

  /** Reads {@code rootline.actors.issue} and {@code rootline.persistence.issues} from the whole config. */
  public static IssueSettings create(Config config) {
    Config c = config.getConfig(PATH);
    return new IssueSettings(
        c.getInt("dedup-window"),
        c.getInt("examples"),
        c.getInt("ranking-window"),
        c.getInt("timeline-buckets"),
        c.getInt("snapshot-every"),
        c.getDuration("publish-interval"),
        c.getInt("labels-per-feedback"),
        c.getDuration("feedback-retry"),
        IssueTimeline.create(config),
        IssuePriority.create(config));
  }

  private static void requireAtLeast1(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be at least 1: " + value);
    }
  }
}
