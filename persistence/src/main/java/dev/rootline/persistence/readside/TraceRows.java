package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.rootline.persistence.TraceSummary;
import java.util.List;

/** Summary columns ↔ {@link TraceSummary}: the one place that knows their order and types. */
final class TraceRows {

  private TraceRows() {}

  /** Values of {@link ReadSideSchema#SUMMARY_COLUMNS}, in order. */
  static Object[] summaryValues(TraceSummary s) {
    return new Object[] {
      s.durationNanos(),
      s.rootService(),
      s.rootMethod(),
      s.rootPath(),
      s.rootStatus(),
      s.spanCount(),
      s.services(),
      s.anomalyScore(),
      s.reasons(),
      s.decidedAtEpochMillis()
    };
  }

  /** A list row (traces_by_time / traces_by_service, which also select trace_id, start_nanos). */
  static TraceSummary summary(Row row) {
    return new TraceSummary(
        row.getString("trace_id"),
        row.getLong("start_nanos"),
        row.getLong("duration_nanos"),
        row.getString("root_service"),
        row.getString("root_method"),
        row.getString("root_path"),
        row.getInt("root_status"),
        row.getInt("span_count"),
        listOrEmpty(row.getList("services", String.class)),
        row.getDouble("anomaly_score"),
        listOrEmpty(row.getList("reasons", String.class)),
        row.getLong("decided_at_millis"));
  }

  private static List<String> listOrEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }
}
