package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import java.util.List;

/** Issue columns ↔ {@link IssueSummary} and rankings: the one place that knows their types. */
final class IssueRows {

  private static final TypeReference<RootCause> ROOT_CAUSE = new TypeReference<>() {};
  private static final TypeReference<List<RootCause>> RANKING = new TypeReference<>() {};

  private IssueRows() {}

  /**
   * A row of {@code issues} or {@code issues_by_status} (issue_id, status and {@link
   * ReadSideSchema#ISSUE_COLUMNS} selected); priority 0 until {@link IssueSummary#prioritised}.
   */
  static IssueSummary summary(Row row) {
    return new IssueSummary(
        row.getString("issue_id"),
        row.getString("title"),
        row.getString("kind"),
        row.getString("service"),
        row.getString("endpoint"),
        row.getLong("first_seen_millis"),
        row.getLong("last_seen_millis"),
        row.getLong("occurrences"),
        row.getLong("affected_requests"),
        row.getDouble("severity"),
        0,
        rootCause(row.getString("top_root_cause_json")),
        row.getString("status") == null ? IssueSummary.OPEN : row.getString("status"));
  }

  static String json(RootCause rootCause) {
    return rootCause == null ? null : ReadSideJson.write(rootCause, "root cause " + rootCause.subject());
  }

  static String json(List<RootCause> ranking) {
    return ReadSideJson.write(ranking, "ranking");
  }

  static RootCause rootCause(String json) {
    return json == null ? null : ReadSideJson.read(json, ROOT_CAUSE, "root cause");
  }

  static List<RootCause> ranking(String json) {
    return json == null ? List.of() : ReadSideJson.read(json, RANKING, "ranking");
  }
}
