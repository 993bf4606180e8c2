package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TraceSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Upserts one retained trace into the read-side tables. Every write is an idempotent INSERT of the
 * same values, so a replayed event changes nothing. {@code traces} is written before the list
 * rows, so a trace id the list shows can always be fetched.
 */
final class TraceReadSideWriter {

  private final CassandraSession session;
  private final PreparedStatement insertTrace;
  private final PreparedStatement insertByTime;
  private final PreparedStatement insertByService;

  private TraceReadSideWriter(
      CassandraSession session,
      PreparedStatement insertTrace,
      PreparedStatement insertByTime,
      PreparedStatement insertByService) {
    this.session = session;
    this.insertTrace = insertTrace;
    this.insertByTime = insertByTime;
    this.insertByService = insertByService;
  }

  static CompletionStage<TraceReadSideWriter> prepare(CassandraSession session, ReadSideSettings settings) {
    String ks = settings.keyspace();
    String summaryMarkers = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    CompletionStage<PreparedStatement> trace =
        session.prepare(
            "INSERT INTO " + ks + ".traces (trace_id, start_nanos, " + ReadSideSchema.SUMMARY_COLUMNS
                + ", trace_json) VALUES (?, ?, " + summaryMarkers + ", ?)");
    CompletionStage<PreparedStatement> byTime =
        session.prepare(
            "INSERT INTO " + ks + ".traces_by_time (day, start_nanos, trace_id, " + ReadSideSchema.SUMMARY_COLUMNS
                + ") VALUES (?, ?, ?, " + summaryMarkers + ")");
    CompletionStage<PreparedStatement> byService =
        session.prepare(
            "INSERT INTO " + ks + ".traces_by_service (service, day, start_nanos, trace_id, "
                + ReadSideSchema.SUMMARY_COLUMNS + ") VALUES (?, ?, ?, ?, " + summaryMarkers + ")");
    return trace.thenCompose(
        t -> byTime.thenCombine(byService, (bt, bs) -> new TraceReadSideWriter(session, t, bt, bs)));
  }

  CompletionStage<Done> upsert(RetainedTrace trace) {
    TraceSummary summary = trace.summary();
    Object[] values = TraceRows.summaryValues(summary);
    var day = DayBuckets.dayOf(summary.startEpochNanos());

    BoundStatement traceRow =
        insertTrace.bind(concat(new Object[] {trace.traceId(), summary.startEpochNanos()}, values, TraceJson.write(trace)));
    return session
        .executeWrite(traceRow.setIdempotent(true))
        .thenCompose(
            written -> {
              List<CompletableFuture<Done>> listRows = new ArrayList<>();
              listRows.add(
                  session
                      .executeWrite(
                          insertByTime
                              .bind(concat(new Object[] {day, summary.startEpochNanos(), trace.traceId()}, values))
                              .setIdempotent(true))
                      .toCompletableFuture());
              for (String service : summary.services()) {
                listRows.add(
                    session
                        .executeWrite(
                            insertByService
                                .bind(concat(new Object[] {service, day, summary.startEpochNanos(), trace.traceId()}, values))
                                .setIdempotent(true))
                        .toCompletableFuture());
              }
              return CompletableFuture.allOf(listRows.toArray(CompletableFuture[]::new))
                  .thenApply(all -> Done.getInstance());
            });
  }

  private static Object[] concat(Object[] head, Object[] middle, Object... tail) {
    Object[] all = new Object[head.length + middle.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(middle, 0, all, head.length, middle.length);
    System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
    return all;
  }
}
