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
 * @param feedback what operators said of the issue, newest first
 */
public record IssueDetail(
    IssueSummary summary,
    List<TimelineBucket> timeline,
    List<String> exampleTraceIds,
    List<RootCause> rootCauses,
    List<IssueFeedback> feedback) {

  public IssueDetail {
    timeline = List.copyOf(timeline);
    exampleTraceIds = List.copyOf(exampleTraceIds);
    rootCauses = List.copyOf(rootCauses);
    feedback = feedback == null ? List.of() : List.copyOf(feedback);
  }

  /** An issue nobody has given feedback on yet. */
  public IssueDetail(
      IssueSummary summary, List<TimelineBucket> timeline, List<String> exampleTraceIds, List<RootCause> rootCauses) {
    this(summary, timeline, exampleTraceIds, rootCauses, List.of());
  }

  /** Occurrences that fell in [startMillis, startMillis + bucket width). */
  public record TimelineBucket(long startMillis, long occurrences) {}
}
