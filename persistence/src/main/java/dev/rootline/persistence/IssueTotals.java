package dev.rootline.persistence;

import java.util.List;

/**
 * An issue's aggregates after one occurrence (carried by {@link IssueEvent.OccurrenceRecorded}).
 *
 * @param occurrences traces counted so far
 * @param affectedRequests requests (spans) in those traces: how many calls the issue touched
 * @param severitySum sum of the occurrences' severities (mean = severitySum / occurrences)
 * @param firstSeenMillis the earliest occurrence
 * @param lastSeenMillis the latest occurrence
 * @param ranking the issue's root-cause ranking over its recent occurrences, most likely first,
 *     probabilities summing to 1 (empty when no occurrence had candidates)
 * @param exampleTraceIds recent occurrences' trace ids, newest first (bounded)
 * @param bucketStartMillis start of the timeline bucket this occurrence fell in
 * @param bucketOccurrences occurrences in that bucket so far
 * @param status the issue's status when this occurrence was recorded (one of {@link
 *     IssueSummary#STATUSES}); the read side files the issue's list row under it
 */
public record IssueTotals(
    long occurrences,
    long affectedRequests,
    double severitySum,
    long firstSeenMillis,
    long lastSeenMillis,
    List<RootCause> ranking,
    List<String> exampleTraceIds,
    long bucketStartMillis,
    long bucketOccurrences,
    String status)
    implements CborSerializable {

  public IssueTotals {
    ranking = ranking == null ? List.of() : List.copyOf(ranking);
    exampleTraceIds = exampleTraceIds == null ? List.of() : List.copyOf(exampleTraceIds);
    status = status == null ? IssueSummary.OPEN : status;
  }

  /** Mean severity of the occurrences, in [0, 1]. */
  public double severity() {
    return occurrences == 0 ? 0 : Math.max(0, Math.min(1, severitySum / occurrences));
  }
}
