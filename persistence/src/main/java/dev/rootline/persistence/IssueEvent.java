package dev.rootline.persistence;

/**
 * Events of the event-sourced {@code Issue} entity (persistence id "Issue|issueId"). Feedback
 * events (a root cause confirmed or rejected, an issue muted or resolved) join this interface
 * later; the read side skips event types it does not know.
 */
public sealed interface IssueEvent extends CborSerializable {

  /** Tag on every issue event; the issue read-side projection follows it. */
  String TAG = "issue";

  String issueId();

  /**
   * The first occurrence of a fingerprint opened an issue; it is always followed by that
   * occurrence's {@link OccurrenceRecorded}.
   *
   * @param kind the verdict of the trace that opened it ("failure" or "anomaly")
   * @param service the service of the opening trace's root span
   * @param endpoint "METHOD /path" of the opening trace's root span
   */
  record IssueOpened(
      String issueId, String title, String kind, String service, String endpoint, long openedAtMillis)
      implements IssueEvent {}

  /**
   * One retained trace counted as an occurrence of this issue, with the issue's totals after it.
   * The totals are what the entity's state holds after applying {@code occurrence}; they travel
   * in the event so that every read-side write is decided by one event alone (replays and
   * several nodes projecting at once converge on the same rows).
   */
  record OccurrenceRecorded(IssueOccurrence occurrence, IssueTotals totals) implements IssueEvent {
    @Override
    public String issueId() {
      return occurrence.issueId();
    }
  }
}
