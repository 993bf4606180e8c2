package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssuePage;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.IssueTotals;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.TestCassandra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The issue read side against a real Cassandra: issue events persisted through the journal reach
 * issues, issues_by_status and issue_occurrences through the projection; the queries rank, filter,
 * page and detail them; a second projection replaying every event from the start leaves the rows
 * as they were (writes are timestamped with the event's sequence number).
 */
class IssueReadSideIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final long MINUTE = 60_000L;
  private static final RootCause CART =
      new RootCause(RootCause.Level.SERVICE, "cart:8083", "cart:8083", null, 0.75, List.of("errors originate in cart:8083"));
  private static final RootCause HOST_B =
      new RootCause(RootCause.Level.HOST, "host-b", null, "host-b", 0.25, List.of("only on host-b"));

  private ActorSystem<Void> system;
  private final java.util.Map<String, ActorRef<IssueEventsEntity.Command>> entities = new java.util.HashMap<>();
  private final List<TaggedProjection.Running> projections = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (TaggedProjection.Running projection : projections) {
      projection.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void issueEventsReachTheReadSideRankedPagedAndReplayable() throws Exception {
    Config config =
        TestCassandra.config(TestCassandra.uniqueKeyspace("issue_it"))
            .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO\npekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]"))
            .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "issue-read-side-it", config);
    JournalSchema.create(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    projections.add(IssueProjection.start(system));
    CassandraIssueQueries queries = CassandraIssueQueries.create(system);

    long now = System.currentTimeMillis();
    long bucket = Math.floorDiv(now - 30 * MINUTE, 10 * MINUTE) * 10 * MINUTE;
    // a1: three recent occurrences over two buckets. b2: one, hours ago, on another service.
    persist("a1", opened("a1", "frontend:8080", bucket + MINUTE),
        occurrence("a1", "t1", bucket + MINUTE, 1, bucket + MINUTE, bucket, 1, List.of("t1")),
        occurrence("a1", "t2", bucket + 2 * MINUTE, 2, bucket + MINUTE, bucket, 2, List.of("t2", "t1")));
    persist("a1", occurrence("a1", "t3", bucket + 12 * MINUTE, 3, bucket + MINUTE, bucket + 10 * MINUTE, 1, List.of("t3", "t2", "t1")));
    long old = now - 5 * 60 * MINUTE;
    persist("b2", opened("b2", "cart:8083", old), occurrence("b2", "t9", old, 1, old, Math.floorDiv(old, 10 * MINUTE) * 10 * MINUTE, 1, List.of("t9")));

    IssuePage page = await(() -> list(queries, new IssueFilter(null, null, 10, 0)), p -> p.total() == 2 && p.issues().get(0).occurrences() == 3);
    assertThat(page.issues()).extracting(IssueSummary::issueId).containsExactly("a1", "b2");
    IssueSummary a1 = page.issues().get(0);
    assertThat(a1.title()).isEqualTo("500s at a1");
    assertThat(a1.kind()).isEqualTo("failure");
    assertThat(a1.service()).isEqualTo("frontend:8080");
    assertThat(a1.endpoint()).isEqualTo("GET /checkout");
    assertThat(a1.firstSeenMillis()).isEqualTo(bucket + MINUTE);
    assertThat(a1.lastSeenMillis()).isEqualTo(bucket + 12 * MINUTE);
    assertThat(a1.affectedRequests()).isEqualTo(9);
    assertThat(a1.severity()).isEqualTo(0.5);
    assertThat(a1.status()).isEqualTo("open");
    assertThat(a1.topRootCause()).isEqualTo(CART);
    assertThat(a1.priority()).isGreaterThan(page.issues().get(1).priority()).isPositive();

    assertThat(list(queries, new IssueFilter("cart:8083", null, 10, 0)).issues()).extracting(IssueSummary::issueId).containsExactly("b2");
    assertThat(list(queries, new IssueFilter(null, "muted", 10, 0)).total()).isZero();
    IssuePage second = list(queries, new IssueFilter(null, "open", 1, 1));
    assertThat(second.issues()).extracting(IssueSummary::issueId).containsExactly("b2");
    assertThat(second.total()).isEqualTo(2);

    IssueDetail detail = get(queries, "a1").orElseThrow();
    assertThat(detail.timeline())
        .containsExactly(new IssueDetail.TimelineBucket(bucket, 2), new IssueDetail.TimelineBucket(bucket + 10 * MINUTE, 1));
    assertThat(detail.exampleTraceIds()).containsExactly("t3", "t2", "t1");
    assertThat(detail.rootCauses()).containsExactly(CART, HOST_B);
    assertThat(get(queries, "ffff")).isEmpty();

    // Noise on b2: a feedback row, and b2 moves from the open list to the muted one.
    IssueFeedback noise =
        new IssueFeedback("fb-1", IssueFeedback.Kind.NOISE, null, null, "expected during deploys", "alice", now);
    IssueSummary b2Muted = new IssueSummary("b2", "500s at b2", "failure", "cart:8083", "GET /checkout", old, old, 1, 3,
        0.5, 0, CART, IssueSummary.MUTED);
    persist("b2", new IssueEvent.FeedbackRecorded(noise, b2Muted, IssueSummary.OPEN));
    IssuePage muted = await(() -> list(queries, new IssueFilter(null, "muted", 10, 0)), p -> p.total() == 1);
    assertThat(muted.issues()).extracting(IssueSummary::issueId).containsExactly("b2");
    assertThat(muted.issues().get(0).title()).isEqualTo("500s at b2");
    assertThat(muted.issues().get(0).occurrences()).isEqualTo(1);
    assertThat(list(queries, new IssueFilter(null, "open", 10, 0)).issues())
        .extracting(IssueSummary::issueId).containsExactly("a1");
    IssueDetail b2 = get(queries, "b2").orElseThrow();
    assertThat(b2.summary().status()).isEqualTo("muted");
    assertThat(b2.feedback()).containsExactly(noise);

    // A second projection replays every event from the start: the rows do not change.
    Config replay =
        ConfigFactory.parseString("rootline.persistence.read-side.issues.projection-name = issue-replay")
            .withFallback(config);
    TaggedProjection.Running replaying =
        IssueProjection.start(system, ReadSideSettings.create(replay), IssueReadSideSettings.create(replay));
    projections.add(replaying);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (replaying.projected() < 7 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(replaying.projected()).isEqualTo(7);
    IssueDetail after = get(queries, "a1").orElseThrow();
    assertThat(after.timeline()).isEqualTo(detail.timeline());
    assertThat(after.exampleTraceIds()).isEqualTo(detail.exampleTraceIds());
    assertThat(after.summary().occurrences()).isEqualTo(3);
    assertThat(after.summary().lastSeenMillis()).isEqualTo(a1.lastSeenMillis());
    // The replayed open-list row of b2 is older than its removal: b2 stays only in the muted list.
    assertThat(list(queries, new IssueFilter(null, null, 10, 0)).issues())
        .extracting(IssueSummary::issueId, IssueSummary::status)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a1", "open"), org.assertj.core.groups.Tuple.tuple("b2", "muted"));
  }

  private void persist(String issueId, IssueEvent... events) throws Exception {
    ActorRef<IssueEventsEntity.Command> entity =
        entities.computeIfAbsent(
            issueId, id -> system.systemActorOf(IssueEventsEntity.create(id), "issue-" + id, Props.empty()));
    Done done =
        AskPattern.<IssueEventsEntity.Command, Done>ask(
                entity, replyTo -> new IssueEventsEntity.Persist(List.of(events), replyTo), TIMEOUT, system.scheduler())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(done).isEqualTo(Done.getInstance());
  }

  private static IssueEvent opened(String id, String service, long at) {
    return new IssueEvent.IssueOpened(id, "500s at " + id, "failure", service, "GET /checkout", at);
  }

  /** The n-th occurrence of the issue, with the totals the entity would give it: 3 requests each. */
  private static IssueEvent occurrence(
      String id, String traceId, long at, long n, long firstSeen, long bucketStart, long inBucket, List<String> examples) {
    IssueOccurrence o =
        new IssueOccurrence(id, "500s at " + id, "failure", traceId, at, 0.5, 0.9,
            List.of(CART, HOST_B), "host-b", "frontend:8080", "GET /checkout", 3);
    return new IssueEvent.OccurrenceRecorded(
        o, new IssueTotals(n, 3 * n, n * 0.5, firstSeen, at, List.of(CART, HOST_B), examples, bucketStart, inBucket, "open"));
  }

  private static IssuePage list(CassandraIssueQueries queries, IssueFilter filter) throws Exception {
    return queries.list(filter).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Optional<IssueDetail> get(CassandraIssueQueries queries, String id) throws Exception {
    return queries.get(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private interface Query<T> {
    T run() throws Exception;
  }

  /** The read side follows the journal with a delay of a few seconds: poll until it has caught up. */
  private static <T> T await(Query<T> query, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T found = query.run();
    while (!done.test(found) && System.nanoTime() < deadline) {
      Thread.sleep(500);
      found = query.run();
    }
    return found;
  }
}
