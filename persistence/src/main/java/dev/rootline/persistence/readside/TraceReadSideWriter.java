package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TraceEvent;
import dev.rootline.persistence.TraceSummary;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one retained version of a trace into the read-side tables: {@code traces} first (so a
 * trace id the list shows can always be fetched), then its list rows, deleting the rows its
 * previous version was listed under when this one starts earlier or has other services (see
 * {@link ListingMove}); a stale row and its replacement go in one batch, so the list never shows
 * both. Every write and delete is {@code USING TIMESTAMP} the event's sequence number: an older
 * event projected again after a newer one (a restart from the stored offset, or two nodes
 * projecting at once) neither overwrites the newer values nor brings a deleted row back.
 */
final class TraceReadSideWriter {

  private static final Logger log = LoggerFactory.getLogger(TraceReadSideWriter.class);

  private final CassandraSession session;
  private final PreparedStatement insertTrace;
  private final PreparedStatement insertByTime;
  private final PreparedStatement deleteByTime;
  private final PreparedStatement insertByService;
  private final PreparedStatement deleteByService;

  private TraceReadSideWriter(CassandraSession session, List<PreparedStatement> statements) {
    this.session = session;
    this.insertTrace = statements.get(0);
    this.insertByTime = statements.get(1);
    this.deleteByTime = statements.get(2);
    this.insertByService = statements.get(3);
    this.deleteByService = statements.get(4);
  }

  static CompletionStage<TraceReadSideWriter> prepare(CassandraSession session, ReadSideSettings settings) {
    String ks = settings.keyspace();
    String summaryMarkers = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    List<CompletableFuture<PreparedStatement>> statements =
        java.util.stream.Stream.of(
                "INSERT INTO " + ks + ".traces (trace_id, start_nanos, " + ReadSideSchema.SUMMARY_COLUMNS
                    + ", trace_json) VALUES (?, ?, " + summaryMarkers + ", ?) USING TIMESTAMP ?",
                "INSERT INTO " + ks + ".traces_by_time (day, start_nanos, trace_id, " + ReadSideSchema.SUMMARY_COLUMNS
                    + ") VALUES (?, ?, ?, " + summaryMarkers + ") USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".traces_by_time USING TIMESTAMP ? WHERE day = ? AND start_nanos = ? AND trace_id = ?",
                "INSERT INTO " + ks + ".traces_by_service (service, day, start_nanos, trace_id, "
                    + ReadSideSchema.SUMMARY_COLUMNS + ") VALUES (?, ?, ?, ?, " + summaryMarkers + ") USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".traces_by_service USING TIMESTAMP ?"
                    + " WHERE service = ? AND day = ? AND start_nanos = ? AND trace_id = ?")
            .map(cql -> session.prepare(cql).toCompletableFuture())
            .toList();
    return CompletableFuture.allOf(statements.toArray(CompletableFuture[]::new))
        .thenCompose(all -> warnIfTablesPredateReplaySafety(session, ks))
        .thenApply(all -> new TraceReadSideWriter(session, statements.stream().map(CompletableFuture::join).toList()));
  }

  /**
   * Tables created by an older version (non-frozen lists, rows at wall-clock timestamps) take the
   * writes, but replays grow their lists and a re-decided trace may stay listed twice there.
   */
  private static CompletionStage<Done> warnIfTablesPredateReplaySafety(CassandraSession session, String ks) {
    return session
        .selectOne(
            "SELECT type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = 'traces_by_time'"
                + " AND column_name = 'services'",
            ks)
        .thenApply(
            row -> {
              if (row.isPresent() && !row.get().getString("type").startsWith("frozen")) {
                log.warn(
                    "{}.traces, traces_by_time and traces_by_service were created by an older Rootline: re-decided"
                        + " traces may be listed twice there. Drop the three tables and the 'trace-read-side' row of"
                        + " {}.projection_offsets while the nodes are stopped; the projection rebuilds them from the journal.",
                    ks, ks);
              }
              return Done.getInstance();
            });
  }

  /**
   * Writes {@code event}, the {@code sequenceNr}-th event of its trace.
   *
   * @throws java.util.NoSuchElementException for a trace without spans (it can never be listed)
   */
  CompletionStage<Done> write(TraceEvent.TraceRetained event, long sequenceNr) {
    RetainedTrace trace = event.trace();
    TraceSummary summary = trace.summary();
    ListingMove move = ListingMove.of(event);
    Object[] values = TraceRows.summaryValues(summary);
    long start = summary.startEpochNanos();
    LocalDate day = DayBuckets.dayOf(start);
    String id = trace.traceId();

    BoundStatement traceRow =
        insertTrace.bind(concat(new Object[] {id, start}, values, TraceJson.write(trace), sequenceNr));
    return session
        .executeWrite(traceRow.setIdempotent(true))
        .thenCompose(
            written -> {
              List<CompletableFuture<Done>> listRows = new ArrayList<>();
              List<BoundStatement> byTime = new ArrayList<>();
              move.staleTimeRow()
                  .ifPresent(old -> byTime.add(deleteByTime.bind(sequenceNr, DayBuckets.dayOf(old), old, id)));
              byTime.add(insertByTime.bind(concat(new Object[] {day, start, id}, values, sequenceNr)));
              listRows.add(execute(byTime));

              List<String> stale = move.staleServiceRows();
              long oldStart = move.from() == null ? 0L : move.from().startEpochNanos();
              for (String service : summary.services()) {
                List<BoundStatement> rows = new ArrayList<>();
                if (stale.contains(service)) {
                  rows.add(deleteByService.bind(sequenceNr, service, DayBuckets.dayOf(oldStart), oldStart, id));
                }
                rows.add(
                    insertByService.bind(concat(new Object[] {service, day, start, id}, values, sequenceNr)));
                listRows.add(execute(rows));
              }
              for (String service : stale) {
                if (!summary.services().contains(service)) {
                  listRows.add(
                      execute(List.of(deleteByService.bind(sequenceNr, service, DayBuckets.dayOf(oldStart), oldStart, id))));
                }
              }
              return CompletableFuture.allOf(listRows.toArray(CompletableFuture[]::new))
                  .thenApply(all -> Done.getInstance());
            });
  }

  /** One statement alone; a stale row's delete and its replacement's insert as one logged batch. */
  private CompletableFuture<Done> execute(List<BoundStatement> statements) {
    if (statements.size() == 1) {
      return session.executeWrite(statements.get(0).setIdempotent(true)).toCompletableFuture();
    }
    BatchStatement batch =
        BatchStatement.newInstance(DefaultBatchType.LOGGED, statements.toArray(BoundStatement[]::new))
            .setIdempotent(true);
    return session.executeWriteBatch(batch).toCompletableFuture();
  }

  private static Object[] concat(Object[] head, Object[] middle, Object... tail) {
    Object[] all = new Object[head.length + middle.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(middle, 0, all, head.length, middle.length);
    System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
    return all;
  }
}
