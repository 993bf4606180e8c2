package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceQueries;
import dev.rootline.persistence.TraceSummary;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * {@link TraceQueries} over the read-side tables {@link TraceProjection} writes, on the driver
 * session pekko-persistence-cassandra already manages (one session per node).
 */
public final class CassandraTraceQueries implements TraceQueries {

  private final CassandraSession session;
  private final ReadSideSettings settings;
  private final Clock clock;
  private final SchemaOnce schema;

  public CassandraTraceQueries(CassandraSession session, ReadSideSettings settings, Clock clock) {
    this.session = session;
    this.settings = settings;
    this.clock = clock;
    this.schema = new SchemaOnce(session, settings);
  }

  /** Queries on the node's pekko-persistence-cassandra session, settings from the system config. */
  public static CassandraTraceQueries create(ActorSystem<?> system) {
    return new CassandraTraceQueries(
        CassandraSessionRegistry.get(system).sessionFor(ReadSideSettings.CASSANDRA_PLUGIN_PATH),
        ReadSideSettings.create(system.settings().config()),
        Clock.systemUTC());
  }

  @Override
  public CompletionStage<List<TraceSummary>> list(TraceFilter filter) {
    String table = filter.service() == null ? "traces_by_time" : "traces_by_service";
    String partition = filter.service() == null ? "day = ?" : "service = ? AND day = ?";
    String cql =
        "SELECT trace_id, start_nanos, " + ReadSideSchema.SUMMARY_COLUMNS + " FROM " + settings.keyspace() + "."
            + table + " WHERE " + partition + " AND start_nanos >= ? AND start_nanos < ? LIMIT ?";
    List<LocalDate> days = DayBuckets.newestFirst(filter, clock.instant(), settings.maxQueryDays());
    return schema.ready()
        .thenCompose(ready -> session.prepare(cql))
        .thenCompose(
            statement ->
                walk(
                    days.iterator(),
                    new ArrayList<>(),
                    filter,
                    (day, remaining) -> {
                      List<Object> values = new ArrayList<>();
                      if (filter.service() != null) {
                        values.add(filter.service());
                      }
                      values.add(day);
                      values.add(DayBuckets.fromNanos(filter));
                      values.add(DayBuckets.toNanos(filter));
                      values.add(remaining);
                      return session.selectAll(statement.bind(values.toArray()));
                    }));
  }

  @Override
  public CompletionStage<Optional<RetainedTrace>> get(String traceId) {
    if (traceId == null || traceId.isBlank()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    SimpleStatement select =
        SimpleStatement.newInstance(
            "SELECT trace_json FROM " + settings.keyspace() + ".traces WHERE trace_id = ?", traceId);
    return schema.ready()
        .thenCompose(ready -> session.selectOne(select))
        .thenApply(row -> row.map(r -> r.getString("trace_json")).map(TraceJson::read));
  }

  private interface DayQuery {
    CompletionStage<List<Row>> rows(LocalDate day, int remaining);
  }

  /** Reads day after day, newest first, until the limit is reached or the days run out. */
  private static CompletionStage<List<TraceSummary>> walk(
      Iterator<LocalDate> days, List<TraceSummary> found, TraceFilter filter, DayQuery query) {
    int remaining = filter.limit() - found.size();
    if (remaining <= 0 || !days.hasNext()) {
      return CompletableFuture.completedFuture(List.copyOf(found));
    }
    return query
        .rows(days.next(), remaining)
        .thenCompose(
            rows -> {
              rows.forEach(row -> found.add(TraceRows.summary(row)));
              return walk(days, found, filter, query);
            });
  }
}
