package dev.rootline.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The width of an issue's timeline buckets: the Issue entity counts occurrences per bucket, the
 * read side stores one row per bucket. One cluster-wide setting, so both agree.
 *
 * @param bucket the width of a bucket (buckets start at multiples of it since the epoch)
 */
public record IssueTimeline(Duration bucket) {

  public static final String PATH = "rootline.persistence.issues.timeline-bucket";

  public IssueTimeline {
    if (bucket == null || bucket.toMillis() < 1000) {
      throw new IllegalArgumentException("timeline-bucket must be at least 1s: " + bucket);
    }
  }

  /** Reads {@value #PATH} from the whole config. */
  public static IssueTimeline create(Config config) {
    return new IssueTimeline(config.getDuration(PATH));
  }

  /** The start of the bucket {@code atMillis} falls in. */
  public long bucketStart(long atMillis) {
    return Math.floorDiv(atMillis, bucket.toMillis()) * bucket.toMillis();
  }
}
