package dev.rootline.persistence.readside;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The read-side tables. Every list row carries the whole summary, so a list is one partition read
 * per day and never a lookup per trace.
 *
 * <ul>
 *   <li>{@code traces}: trace id → summary + the full trace as JSON (get by id)
 *   <li>{@code traces_by_time}: (UTC day) → start time desc, trace id (the list)
 *   <li>{@code traces_by_service}: (service, UTC day) → the same, one row per service in the trace
 *       (the list filtered by service)
 *   <li>{@code issues}: issue id → issue columns + its ranking as JSON + example trace ids
 *   <li>{@code issues_by_status}: (status) → issue id, issue columns: the prioritised list reads
 *       whole partitions, which is fine because open issues number in the hundreds, not millions
 *       (the list sorts them by a priority computed at read time)
 *   <li>{@code issue_occurrences}: (issue id) → timeline bucket desc, occurrences in it
 *   <li>{@code projection_offsets}: projection name → last stored journal offset
 * </ul>
 *
 * <p>The trace and issue tables are written {@code USING TIMESTAMP} the event's sequence number
 * (see {@link TraceReadSideWriter}, {@link IssueReadSideWriter}): write nothing else into them.
 * Their collections are frozen: a non-frozen list appends new cells on every replay of the same
 * write, even with the same timestamp. Trace tables created before both (list columns not frozen,
 * rows written at the wall-clock time) must be dropped and rebuilt: see the module README.
 */
public final class ReadSideSchema {

  /** Summary columns, in the order TraceRows binds and reads them. */
  static final String SUMMARY_COLUMNS =
      "duration_nanos, root_service, root_method, root_path, root_status, span_count, services,"
          + " anomaly_score, reasons, decided_at_millis";

  private static final String SUMMARY_COLUMN_TYPES =
      "duration_nanos bigint, root_service text, root_method text, root_path text, root_status int,"
          + " span_count int, services frozen<list<text>>, anomaly_score double, reasons frozen<list<text>>,"
          + " decided_at_millis bigint";

  /** Issue columns (besides issue_id and status), in the order IssueRows binds and reads them. */
  static final String ISSUE_COLUMNS =
      "title, kind, service, endpoint, first_seen_millis, last_seen_millis, occurrences,"
          + " affected_requests, severity, top_root_cause_json";

  private static final String ISSUE_COLUMN_TYPES =
      "title text, kind text, service text, endpoint text, first_seen_millis bigint,"
          + " last_seen_millis bigint, occurrences bigint, affected_requests bigint, severity double,"
          + " top_root_cause_json text";

  private ReadSideSchema() {}

  /** CREATE statements in dependency order; all IF NOT EXISTS, so running them again is harmless. */
  public static List<String> statements(ReadSideSettings settings) {
    String ks = settings.keyspace();
    List<String> cql = new ArrayList<>();
    if (settings.keyspaceAutocreate()) {
      cql.add(
          "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'SimpleStrategy',"
              + " 'replication_factor': " + settings.replicationFactor() + "}");
    }
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".projection_offsets ("
            + "projection_name text PRIMARY KEY, offset_uuid timeuuid, updated_at timestamp)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".traces ("
            + "trace_id text PRIMARY KEY, start_nanos bigint, " + SUMMARY_COLUMN_TYPES + ", trace_json text)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".traces_by_time ("
            + "day date, start_nanos bigint, trace_id text, " + SUMMARY_COLUMN_TYPES + ","
            + " PRIMARY KEY ((day), start_nanos, trace_id))"
            + " WITH CLUSTERING ORDER BY (start_nanos DESC, trace_id ASC)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".traces_by_service ("
            + "service text, day date, start_nanos bigint, trace_id text, " + SUMMARY_COLUMN_TYPES + ","
            + " PRIMARY KEY ((service, day), start_nanos, trace_id))"
            + " WITH CLUSTERING ORDER BY (start_nanos DESC, trace_id ASC)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".issues ("
            + "issue_id text PRIMARY KEY, status text, " + ISSUE_COLUMN_TYPES + ","
            + " ranking_json text, example_trace_ids frozen<list<text>>)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".issues_by_status ("
            + "status text, issue_id text, " + ISSUE_COLUMN_TYPES + ","
            + " PRIMARY KEY ((status), issue_id))");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".issue_occurrences ("
            + "issue_id text, bucket_start_millis bigint, occurrences bigint,"
            + " PRIMARY KEY ((issue_id), bucket_start_millis))"
            + " WITH CLUSTERING ORDER BY (bucket_start_millis DESC)");
    cql.add(
        "CREATE TABLE IF NOT EXISTS " + ks + ".issue_feedback ("
            + "issue_id text, at_millis bigint, feedback_id text, kind text, level text, subject text,"
            + " comment text, by_whom text,"
            + " PRIMARY KEY ((issue_id), at_millis, feedback_id))"
            + " WITH CLUSTERING ORDER BY (at_millis DESC, feedback_id ASC)");
    return cql;
  }

  /** Runs the CREATE statements one after the other (schema changes must not race). */
  public static CompletionStage<Done> create(CassandraSession session, ReadSideSettings settings) {
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : statements(settings)) {
      done = done.thenCompose(d -> session.executeDDL(statement));
    }
    return done;
  }
}
