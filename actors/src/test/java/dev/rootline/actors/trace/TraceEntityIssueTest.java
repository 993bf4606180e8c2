package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trace entity → Issue hook, with a scorer that answers a constructed decision naming an
 * issue (the scorer on main does not fingerprint yet): failing traces are fingerprinted by their
 * root service, so each test uses its own service and thus its own issue.
 */
class TraceEntityIssueTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final RootCause CART =
      new RootCause(RootCause.Level.SERVICE, "python3:8082", "python3:8082", null, 0.7,
          List.of("errors originate in python3:8082"));
  private static final RootCause HOST =
      new RootCause(RootCause.Level.HOST, "host-a", null, "host-a", 0.3, List.of("only on host-a"));

  private static SingleNodeCluster cluster;
  private static ClusterSharding sharding;

  @BeforeAll
  static void start() {
    cluster =
        new SingleNodeCluster(
            "TraceEntityIssueTest",
            SingleNodeCluster.FAST_DECISIONS + "rootline.actors.issue.publish-interval = 0s\n",
            Behaviors.receiveMessage(
                command -> {
                  if (command instanceof TraceScorer.Score score) {
                    score.replyTo().tell(decide(score.trace()));
                  }
                  return Behaviors.same();
                }));
    sharding = ClusterSharding.get(cluster.testKit.system());
  }

  @AfterAll
  static void stop() {
    cluster.shutdown();
  }

  /** Failing traces are an issue named after their root service; the rest are normal. */
  private static Decision decide(CompletedTrace trace) {
    List<String> reasons = FailureRules.reasons(trace.spans());
    if (reasons.isEmpty()) {
      return new Decision(false, 0.1, List.of(), 0);
    }
    String root = trace.spans().get(0).service();
    return new Decision(true, 0.9, reasons, 1, RetainedTrace.FAILURE, issueOf(root),
        "500s under " + root, 0.8, List.of(CART, HOST));
  }

  private static String issueOf(String service) {
    return Integer.toHexString(service.hashCode() & 0x7fffffff) + "f00d";
  }

  @Test
  void aDecisionWithAFingerprintBecomesAnOccurrenceOfItsIssue() {
    TestProbe<IssueSummary> updates = subscribeToIssues();
    TestProbe<TraceSummary> retained = cluster.subscribeToRetainedTraces();
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9301", "/checkout", 20, 1000));

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    retained.expectMessageClass(TraceSummary.class, PATIENCE);
    IssueSummary opened = updates.expectMessageClass(IssueSummary.class, PATIENCE);
    assertThat(opened.issueId()).isEqualTo(issueOf("python3:9301"));
    assertThat(opened.title()).isEqualTo("500s under python3:9301");
    assertThat(opened.kind()).isEqualTo("failure");
    assertThat(opened.endpoint()).isEqualTo("GET /checkout");
    assertThat(opened.occurrences()).isEqualTo(1);
    assertThat(opened.affectedRequests()).isEqualTo(3);
    assertThat(opened.severity()).isEqualTo(0.8);
    assertThat(opened.topRootCause().subject()).isEqualTo("python3:8082");
    IssueEntity.Current issue = issue(opened.issueId());
    assertThat(issue.examples()).containsExactly(spans.get(0).traceId());
    assertThat(status(spans.get(0).traceId()).phase()).isEqualTo("DECIDED");

    // A second trace of the same issue is a second occurrence.
    List<Span> again = TestSpans.failing(TestSpans.checkout("python3:9301", "/checkout", 30, 1000));
    again.forEach(span -> TraceEntity.recordSpan(sharding, span));
    assertThat(updates.expectMessageClass(IssueSummary.class, PATIENCE).occurrences()).isEqualTo(2);
  }

  @Test
  void aReDecidedTraceCountsOnce() {
    TestProbe<IssueSummary> updates = subscribeToIssues();
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9302", "/checkout", 20, 1000));
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    assertThat(updates.expectMessageClass(IssueSummary.class, PATIENCE).occurrences()).isEqualTo(1);

    // A late span: the trace is decided and persisted again, the issue acknowledges without counting.
    Span late = TestSpans.server(spans.get(0).traceId(), spans.get(0).spanId(), "python3:8085", "/late", 1);
    TraceEntity.recordSpan(sharding, late);
    cluster.testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      TraceEntity.Status status = status(spans.get(0).traceId());
      assertThat(status.decisions()).isEqualTo(2);
      assertThat(status.phase()).isEqualTo("DECIDED");
      return null;
    });
    updates.expectNoMessage(Duration.ofMillis(500));
    assertThat(issue(issueOf("python3:9302")).summary().occurrences()).isEqualTo(1);
  }

  @Test
  void aFailingIssuePersistIsRetriedAndTheTraceIsDoneOnlyAfterIt() {
    PersistenceTestKit journal = PersistenceTestKit.create(cluster.testKit.system());
    TestProbe<IssueSummary> updates = subscribeToIssues();
    PipelineStats stats = PipelineStats.get(cluster.testKit.system());
    long retriesBefore = stats.persistRetries();
    String issueId = issueOf("python3:9303");
    // The first write of the issue fails (as when Cassandra is down).
    journal.failNextPersisted(IssueEntity.persistenceId(issueId).id());
    List<Span> spans = TestSpans.failing(TestSpans.checkout("python3:9303", "/checkout", 20, 1000));

    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));

    IssueSummary summary = updates.expectMessageClass(IssueSummary.class, Duration.ofSeconds(30));
    assertThat(summary.issueId()).isEqualTo(issueId);
    assertThat(summary.occurrences()).isEqualTo(1);
    assertThat(stats.persistRetries()).isGreaterThan(retriesBefore);
    awaitDecided(spans);
  }

  @Test
  void aNormalTraceRecordsNoOccurrence() {
    TestProbe<IssueSummary> updates = subscribeToIssues();
    List<Span> spans = TestSpans.checkout("python3:9304", "/checkout", 20, 1000);
    spans.forEach(span -> TraceEntity.recordSpan(sharding, span));
    awaitDecided(spans);
    updates.expectNoMessage(Duration.ofMillis(500));
    assertThat(issue(issueOf("python3:9304")).summary()).isNull();
  }

  private static void awaitDecided(List<Span> spans) {
    cluster.testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertThat(status(spans.get(0).traceId()).phase()).isEqualTo("DECIDED");
      return null;
    });
  }

  private static TraceEntity.Status status(String traceId) {
    return sharding
        .entityRefFor(TraceEntity.ENTITY_KEY, traceId)
        .ask(TraceEntity.GetStatus::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join();
  }

  private static IssueEntity.Current issue(String issueId) {
    return sharding
        .entityRefFor(IssueEntity.ENTITY_KEY, issueId)
        .ask(IssueEntity.Get::new, Duration.ofSeconds(5))
        .toCompletableFuture()
        .join();
  }

  private static TestProbe<IssueSummary> subscribeToIssues() {
    TestProbe<IssueSummary> probe = cluster.testKit.createTestProbe(IssueSummary.class);
    cluster.issueUpdates.tell(Topic.subscribe(probe.getRef()));
    // Subscribing is asynchronous: wait until the topic knows the probe.
    cluster.testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      TestProbe<org.apache.pekko.actor.typed.pubsub.Topic.TopicStats> stats =
          cluster.testKit.createTestProbe(Topic.TopicStats.class);
      cluster.issueUpdates.tell(Topic.getTopicStats(stats.getRef()));
      assertThat(stats.receiveMessage().localSubscriberCount()).isPositive();
      return null;
    });
    return probe;
  }

}
