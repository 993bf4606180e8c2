package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.IssueTotals;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Writes one issue event into {@code issues}, {@code issues_by_status} and {@code
 * issue_occurrences}. Every write is decided by the event alone (an occurrence carries the
 * issue's totals after it) and is made {@code USING TIMESTAMP} the event's sequence number, so
 * an older event replayed after a newer one — a restart from the stored offset, or two nodes
 * projecting at once — never overwrites newer values. {@code issues} is written before the list
 * and timeline rows, so an issue id the list shows can always be fetched.
 */
final class IssueReadSideWriter {

  private final CassandraSession session;
  private final PreparedStatement openIssue;
  private final PreparedStatement openListRow;
  private final PreparedStatement countIssue;
  private final PreparedStatement countListRow;
  private final PreparedStatement countBucket;
  private final PreparedStatement setStatus;
  private final PreparedStatement dropListRow;
  private final PreparedStatement moveListRow;
  private final PreparedStatement addFeedback;

  private IssueReadSideWriter(CassandraSession session, PreparedStatement... statements) {
    this.session = session;
    this.openIssue = statements[0];
    this.openListRow = statements[1];
    this.countIssue = statements[2];
    this.countListRow = statements[3];
    this.countBucket = statements[4];
    this.setStatus = statements[5];
    this.dropListRow = statements[6];
    this.moveListRow = statements[7];
    this.addFeedback = statements[8];
  }

  static CompletionStage<IssueReadSideWriter> prepare(CassandraSession session, ReadSideSettings settings) {
    String ks = settings.keyspace();
    String opened = " SET title = ?, kind = ?, service = ?, endpoint = ?, first_seen_millis = ?";
    String counted =
        " SET first_seen_millis = ?, last_seen_millis = ?, occurrences = ?, affected_requests = ?,"
            + " severity = ?, top_root_cause_json = ?";
    var statements =
        java.util.stream.Stream.of(
                "UPDATE " + ks + ".issues USING TIMESTAMP ?" + opened + ", status = ? WHERE issue_id = ?",
                "UPDATE " + ks + ".issues_by_status USING TIMESTAMP ?" + opened + " WHERE status = ? AND issue_id = ?",
                "UPDATE " + ks + ".issues USING TIMESTAMP ?" + counted
                    + ", ranking_json = ?, example_trace_ids = ?, status = ? WHERE issue_id = ?",
                "UPDATE " + ks + ".issues_by_status USING TIMESTAMP ?" + counted + " WHERE status = ? AND issue_id = ?",
                "INSERT INTO " + ks + ".issue_occurrences (issue_id, bucket_start_millis, occurrences)"
                    + " VALUES (?, ?, ?) USING TIMESTAMP ?",
                "UPDATE " + ks + ".issues USING TIMESTAMP ? SET status = ? WHERE issue_id = ?",
                "DELETE FROM " + ks + ".issues_by_status USING TIMESTAMP ? WHERE status = ? AND issue_id = ?",
                "UPDATE " + ks + ".issues_by_status USING TIMESTAMP ? SET title = ?, kind = ?, service = ?,"
                    + " endpoint = ?, first_seen_millis = ?, last_seen_millis = ?, occurrences = ?,"
                    + " affected_requests = ?, severity = ?, top_root_cause_json = ?"
                    + " WHERE status = ? AND issue_id = ?",
                "INSERT INTO " + ks + ".issue_feedback (issue_id, at_millis, feedback_id, kind, level, subject,"
                    + " comment, by_whom) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?")
            .map(cql -> session.prepare(cql).toCompletableFuture())
            .toList();
    return CompletableFuture.allOf(statements.toArray(CompletableFuture[]::new))
        .thenApply(
            all ->
                new IssueReadSideWriter(
                    session, statements.stream().map(CompletableFuture::join).toArray(PreparedStatement[]::new)));
  }

  /** Writes the event; false for event types this writer does not know (later feedback events). */
  CompletionStage<Boolean> write(IssueEvent event, long sequenceNr) {
    if (event instanceof IssueEvent.IssueOpened opened) {
      return opened(opened, sequenceNr).thenApply(done -> true);
    }
    if (event instanceof IssueEvent.OccurrenceRecorded recorded) {
      return recorded(recorded, sequenceNr).thenApply(done -> true);
    }
    if (event instanceof IssueEvent.FeedbackRecorded feedback) {
      return feedback(feedback, sequenceNr).thenApply(done -> true);
    }
    return CompletableFuture.completedFuture(false);
  }

  private CompletionStage<Done> opened(IssueEvent.IssueOpened e, long seq) {
    Object[] facts = {e.title(), e.kind(), e.service(), e.endpoint(), e.openedAtMillis()};
    return session
        .executeWrite(openIssue.bind(concat(seq, facts, IssueSummary.OPEN, e.issueId())).setIdempotent(true))
        .thenCompose(
            written ->
                session.executeWrite(
                    openListRow.bind(concat(seq, facts, IssueSummary.OPEN, e.issueId())).setIdempotent(true)));
  }

  private CompletionStage<Done> recorded(IssueEvent.OccurrenceRecorded e, long seq) {
    IssueOccurrence o = e.occurrence();
    IssueTotals t = e.totals();
    Object[] counts = {
      t.firstSeenMillis(),
      t.lastSeenMillis(),
      t.occurrences(),
      t.affectedRequests(),
      t.severity(),
      IssueRows.json(t.ranking().isEmpty() ? null : t.ranking().get(0))
    };
    Object[] issueTail = {IssueRows.json(t.ranking()), t.exampleTraceIds(), t.status(), o.issueId()};
    return session
        .executeWrite(countIssue.bind(concat(seq, counts, issueTail)).setIdempotent(true))
        .thenCompose(
            written -> {
              CompletableFuture<Done> listRow =
                  session
                      .executeWrite(countListRow.bind(concat(seq, counts, t.status(), o.issueId())).setIdempotent(true))
                      .toCompletableFuture();
              // 0: a very late occurrence whose bucket the entity no longer keeps; leave the row.
              CompletableFuture<Done> bucket =
                  t.bucketOccurrences() < 1
                      ? CompletableFuture.completedFuture(Done.getInstance())
                      : session
                          .executeWrite(
                              countBucket
                                  .bind(o.issueId(), t.bucketStartMillis(), t.bucketOccurrences(), seq)
                                  .setIdempotent(true))
                          .toCompletableFuture();
              return listRow.thenCombine(bucket, (a, b) -> Done.getInstance());
            });
  }

  /**
   * The feedback row, then the status: when it changed, the issue's list row moves from the old
   * status partition to the new one (written whole from the event's summary, so the new row never
   * lacks a column whatever order events are replayed in).
   */
  private CompletionStage<Done> feedback(IssueEvent.FeedbackRecorded e, long seq) {
    IssueFeedback f = e.feedback();
    IssueSummary s = e.summary();
    CompletionStage<Done> row =
        session.executeWrite(
            addFeedback
                .bind(s.issueId(), f.atMillis(), f.feedbackId(), f.kind().name(),
                    f.level() == null ? null : f.level().name(), f.subject(), f.comment(), f.by(), seq)
                .setIdempotent(true));
    if (s.status() == null || s.status().equals(e.previousStatus())) {
      return row;
    }
    Object[] columns = {
      s.title(), s.kind(), s.service(), s.endpoint(), s.firstSeenMillis(), s.lastSeenMillis(), s.occurrences(), s.affectedRequests(), s.severity(),
      IssueRows.json(s.topRootCause())
    };
    return row.thenCompose(
            done -> session.executeWrite(setStatus.bind(seq, s.status(), s.issueId()).setIdempotent(true)))
        .thenCompose(
            done ->
                session.executeWrite(
                    moveListRow.bind(concat(seq, columns, s.status(), s.issueId())).setIdempotent(true)))
        .thenCompose(
            done ->
                e.previousStatus() == null
                    ? CompletableFuture.completedFuture(Done.getInstance())
                    : session.executeWrite(
                        dropListRow.bind(seq, e.previousStatus(), s.issueId()).setIdempotent(true)));
  }

  /** USING TIMESTAMP comes first in an UPDATE's bind markers. */
  private static Object[] concat(long timestamp, Object[] middle, Object... tail) {
    Object[] all = new Object[1 + middle.length + tail.length];
    all[0] = timestamp;
    System.arraycopy(middle, 0, all, 1, middle.length);
    System.arraycopy(tail, 0, all, 1 + middle.length, tail.length);
    return all;
  }
}
