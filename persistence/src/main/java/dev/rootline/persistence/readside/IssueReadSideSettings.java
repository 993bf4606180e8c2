package dev.rootline.persistence.readside;

import com.typesafe.config.Config;
import dev.rootline.persistence.IssuePriority;

/**
 * The issue read side's tunables: {@code rootline.persistence.read-side.issues} and {@code
 * rootline.persistence.issues.priority-half-life} in reference.conf.
 *
 * @param projectionName the issue projection's row in projection_offsets
 * @param timelineBuckets how many of its newest timeline buckets one issue's detail shows
 * @param priority how the list ranks issues
 */
public record IssueReadSideSettings(String projectionName, int timelineBuckets, IssuePriority priority) {

  public IssueReadSideSettings {
    if (projectionName == null || projectionName.isBlank()) {
      throw new IllegalArgumentException("issues.projection-name must not be empty");
    }
    if (timelineBuckets < 1 || timelineBuckets > 10_000) {
      throw new IllegalArgumentException("issues.timeline-buckets must be between 1 and 10000: " + timelineBuckets);
    }
  }

  public static IssueReadSideSettings create(Config config) {
    Config c = config.getConfig("rootline.persistence.read-side.issues");
    return new IssueReadSideSettings(
        c.getString("projection-name"), c.getInt("timeline-buckets"), IssuePriority.create(config));
  }
}
