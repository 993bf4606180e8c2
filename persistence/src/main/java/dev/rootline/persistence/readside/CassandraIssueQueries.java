package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssuePage;
import dev.rootline.persistence.IssueQueries;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * {@link IssueQueries} over the tables {@link IssueProjection} writes. The list reads whole
 * {@code issues_by_status} partitions (one per status asked for) and sorts them by a priority
 * computed now: issues number in the hundreds, so that is a few hundred rows per request, and it
 * is the only way to rank by recency without rewriting every row as time passes.
 */
public final class CassandraIssueQueries implements IssueQueries {

  private static final Comparator<IssueSummary> PRIORITY_ORDER =
      Comparator.comparingDouble(IssueSummary::priority)
          .reversed()
          .thenComparing(Comparator.comparingLong(IssueSummary::lastSeenMillis).reversed())
          .thenComparing(IssueSummary::issueId);

  private final CassandraSession session;
  private final ReadSideSettings settings;
  private final IssueReadSideSettings issues;
  private final Clock clock;
  private final SchemaOnce schema;

  public CassandraIssueQueries(
      CassandraSession session, ReadSideSettings settings, IssueReadSideSettings issues, Clock clock) {
    this.session = session;
    this.settings = settings;
    this.issues = issues;
    this.clock = clock;
    this.schema = new SchemaOnce(session, settings);
  }

  /** Queries on the node's pekko-persistence-cassandra session, settings from the system config. */
  public static CassandraIssueQueries create(ActorSystem<?> system) {
    var config = system.settings().config();
    return new CassandraIssueQueries(
        CassandraSessionRegistry.get(system).sessionFor(ReadSideSettings.CASSANDRA_PLUGIN_PATH),
        ReadSideSettings.create(config),
        IssueReadSideSettings.create(config),
        Clock.systemUTC());
  }

  /** Feedback rows an issue's page shows (the newest). */
  static final int MAX_FEEDBACK = 100;

  @Override
  public CompletionStage<IssuePage> list(IssueFilter filter) {
    String cql =
        "SELECT issue_id, status, " + ReadSideSchema.ISSUE_COLUMNS + " FROM " + settings.keyspace()
            + ".issues_by_status WHERE status = ?";
    List<String> statuses = filter.status() == null ? IssueSummary.STATUSES : List.of(filter.status());
    return schema
        .ready()
        .thenCompose(ready -> session.prepare(cql))
        .thenCompose(
            statement -> {
              List<CompletableFuture<List<Row>>> partitions = new ArrayList<>();
              for (String status : statuses) {
                partitions.add(session.selectAll(statement.bind(status)).toCompletableFuture());
              }
              return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new))
                  .thenApply(all -> page(partitions.stream().flatMap(p -> p.join().stream()).toList(), filter));
            });
  }

  private IssuePage page(List<Row> rows, IssueFilter filter) {
    long now = clock.millis();
    List<IssueSummary> matching =
        rows.stream()
            .map(IssueRows::summary)
            .filter(s -> filter.service() == null || filter.service().equals(s.service()))
            .map(s -> s.prioritised(issues.priority(), now))
            .sorted(PRIORITY_ORDER)
            .toList();
    int from = Math.min(filter.offset(), matching.size());
    int to = Math.min(matching.size(), from + filter.limit());
    return new IssuePage(matching.subList(from, to), matching.size());
  }

  @Override
  public CompletionStage<Optional<IssueDetail>> get(String issueId) {
    if (issueId == null || issueId.isBlank()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String ks = settings.keyspace();
    SimpleStatement issue =
        SimpleStatement.newInstance(
            "SELECT issue_id, status, " + ReadSideSchema.ISSUE_COLUMNS + ", ranking_json, example_trace_ids FROM "
                + ks + ".issues WHERE issue_id = ?",
            issueId);
    SimpleStatement timeline =
        SimpleStatement.newInstance(
            "SELECT bucket_start_millis, occurrences FROM " + ks + ".issue_occurrences WHERE issue_id = ? LIMIT ?",
            issueId,
            issues.timelineBuckets());
    SimpleStatement said =
        SimpleStatement.newInstance(
            "SELECT at_millis, feedback_id, kind, level, subject, comment, by_whom FROM " + ks
                + ".issue_feedback WHERE issue_id = ? LIMIT ?",
            issueId,
            MAX_FEEDBACK);
    return schema
        .ready()
        .thenCompose(ready -> session.selectOne(issue))
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<IssueDetail>empty());
              }
              Row row = found.get();
              CompletableFuture<List<Row>> feedback = session.selectAll(said).toCompletableFuture();
              return session
                  .selectAll(timeline)
                  .thenCombine(feedback, (buckets, rows) -> Optional.of(detail(row, buckets, rows)));
            });
  }

  private static IssueFeedback feedback(Row r) {
    String level = r.getString("level");
    return new IssueFeedback(
        r.getString("feedback_id"),
        IssueFeedback.Kind.valueOf(r.getString("kind")),
        level == null ? null : RootCause.Level.valueOf(level),
        r.getString("subject"),
        r.getString("comment"),
        r.getString("by_whom"),
        r.getLong("at_millis"));
  }

  private IssueDetail detail(Row row, List<Row> newestBucketsFirst, List<Row> feedbackNewestFirst) {
    List<IssueDetail.TimelineBucket> timeline = new ArrayList<>();
    for (int i = newestBucketsFirst.size() - 1; i >= 0; i--) {
      Row bucket = newestBucketsFirst.get(i);
      timeline.add(
          new IssueDetail.TimelineBucket(bucket.getLong("bucket_start_millis"), bucket.getLong("occurrences")));
    }
    List<String> examples = row.getList("example_trace_ids", String.class);
    return new IssueDetail(
        IssueRows.summary(row).prioritised(issues.priority(), clock.millis()),
        timeline,
        examples == null ? List.of() : examples,
        IssueRows.ranking(row.getString("ranking_json")),
        feedbackNewestFirst.stream().map(CassandraIssueQueries::feedback).toList());
  }
}
