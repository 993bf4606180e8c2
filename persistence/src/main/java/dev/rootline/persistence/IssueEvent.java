package dev.rootline.persistence;

/**
 * Events of the event-sourced {@code Issue} entity (persistence id "Issue|issueId"); the read
 * side skips event types it does not know.
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

  /**
   * An operator's feedback on the issue ({@code POST /api/v1/issues/{id}/feedback}).
   *
   * @param feedback what was said, with its id, who and when
   * @param summary the issue's list line after it (the status may have changed: noise mutes the
   *     issue); it travels in the event so the read side can move the issue between status lists
   *     from this event alone
   * @param previousStatus the status before, so the read side can drop the old list row
   */
  record FeedbackRecorded(IssueFeedback feedback, IssueSummary summary, String previousStatus)
      implements IssueEvent {
    @Override
    public String issueId() {
      return summary.issueId();
    }
  }

  /**
   * The feedback reached the models and the policy tuner (at least once: until this event, a
   * recovered entity sends it again). Not projected.
   */
  record FeedbackRouted(String issueId, String feedbackId) implements IssueEvent {}
}
