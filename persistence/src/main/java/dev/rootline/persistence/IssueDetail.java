package dev.rootline.persistence;

import java.util.List;

/**
 * One issue with what its page shows.
 *
 * @param summary the list line (priority computed when read)
 * @param timeline occurrences per time bucket, oldest first (the most recent buckets only)
 * @param exampleTraceIds recent occurrences' trace ids, newest first
 * @param rootCauses the issue's ranked root causes, most likely first, probabilities summing to
 *     1, each with its evidence
 */
public record IssueDetail(
    IssueSummary summary,
    List<TimelineBucket> timeline,
    List<String> exampleTraceIds,
    List<RootCause> rootCauses) {

  public IssueDetail {
    timeline = List.copyOf(timeline);
    exampleTraceIds = List.copyOf(exampleTraceIds);
    rootCauses = List.copyOf(rootCauses);
  }

  /** Occurrences that fell in [startMillis, startMillis + bucket width). */
  public record TimelineBucket(long startMillis, long occurrences) {}
}
