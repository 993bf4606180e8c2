package dev.rootline.persistence;

/**
 * One line of the prioritised issue list: what the API's list and the live stream show.
 *
 * @param kind the verdict of the trace that opened the issue ("failure" or "anomaly")
 * @param service the service of the opening trace's root span
 * @param endpoint "METHOD /path" of the opening trace's root span
 * @param occurrences retained traces counted as occurrences
 * @param affectedRequests requests (spans) in those traces
 * @param severity mean severity of the occurrences, in [0, 1]
 * @param priority {@link IssuePriority} at the time this summary was made (higher first)
 * @param topRootCause the most likely root cause, or null when none was ranked
 * @param status {@link #OPEN} (muted and resolved come with feedback)
 */
public record IssueSummary(
    String issueId,
    String title,
    String kind,
    String service,
    String endpoint,
    long firstSeenMillis,
    long lastSeenMillis,
    long occurrences,
    long affectedRequests,
    double severity,
    double priority,
    RootCause topRootCause,
    String status)
    implements CborSerializable {

  public static final String OPEN = "open";
  public static final String MUTED = "muted";
  public static final String RESOLVED = "resolved";

  /** Every status an issue can have; the list reads one read-side partition per status. */
  public static final java.util.List<String> STATUSES = java.util.List.of(OPEN, MUTED, RESOLVED);

  /** The same summary with its priority computed for {@code nowMillis}. */
  public IssueSummary prioritised(IssuePriority formula, long nowMillis) {
    return new IssueSummary(
        issueId, title, kind, service, endpoint, firstSeenMillis, lastSeenMillis, occurrences,
        affectedRequests, severity,
        formula.of(severity, occurrences, affectedRequests, firstSeenMillis, lastSeenMillis, nowMillis),
        topRootCause, status);
  }
}
