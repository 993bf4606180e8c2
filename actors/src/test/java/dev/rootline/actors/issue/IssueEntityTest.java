package dev.rootline.actors.issue;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.IssueTotals;
import dev.rootline.persistence.RootCause;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IssueEntityTest {

  private static final long T0 = 1_800_000_000_000L; // a multiple of the 10-minute bucket
  private static final long MINUTE = 60_000L;
  private static final RootCause CART =
      new RootCause(RootCause.Level.SERVICE, "cart:8083", "cart:8083", null, 0.8, List.of("errors originate in cart:8083"));
  private static final RootCause HOST_B =
      new RootCause(RootCause.Level.HOST, "host-b", null, "host-b", 0.2, List.of("only on host-b"));
  private static final RootCause DB =
      new RootCause(RootCause.Level.SERVICE, "postgres:5432", "postgres:5432", null, 0.6, List.of("slow queries"));

  private static ActorTestKit testKit;
  private static IssueSettings settings;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "IssueEntityTest",
            EventSourcedBehaviorTestKit.config()
                .withFallback(
                    ConfigFactory.parseString(
                        "rootline.actors.issue { dedup-window = 5, examples = 3, ranking-window = 4,"
                            + " timeline-buckets = 3, publish-interval = 0s }"))
                .withFallback(ConfigFactory.load()));
    settings = IssueSettings.create(testKit.system().settings().config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> entity(
      String issueId, ActorRef<Topic.Command<IssueSummary>> updates) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), IssueEntity.create(issueId, settings, updates));
  }

  private static EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> entity(String issueId) {
    return entity(issueId, testKit.spawn(IssueUpdates.topic()));
  }

  private static CommandResultWithReply<IssueEntity.Command, IssueEvent, IssueState, StatusReply<Done>> record(
      EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> kit, IssueOccurrence o) {
    return kit.<StatusReply<Done>>runCommand(replyTo -> new IssueEntity.RecordOccurrence(o, replyTo));
  }

  @Test
  void theFirstOccurrenceOpensTheIssueThenCountsIt() {
    var kit = entity("a1");
    var result = record(kit, occurrence("a1", "t1", T0 + MINUTE, 0.6, 4, CART, HOST_B));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.events()).hasSize(2);
    IssueEvent.IssueOpened opened = (IssueEvent.IssueOpened) result.events().get(0);
    assertThat(opened)
        .isEqualTo(new IssueEvent.IssueOpened("a1", "500s on checkout", "failure", "frontend:8080", "GET /checkout", T0 + MINUTE));
    IssueEvent.OccurrenceRecorded recorded = (IssueEvent.OccurrenceRecorded) result.events().get(1);
    assertThat(recorded.occurrence().traceId()).isEqualTo("t1");
    assertThat(recorded.totals())
        .isEqualTo(new IssueTotals(1, 4, 0.6, T0 + MINUTE, T0 + MINUTE, List.of(CART, HOST_B), List.of("t1"), T0, 1, "open"));

    var second = record(kit, occurrence("a1", "t2", T0 + 2 * MINUTE, 0.4, 2, DB));
    assertThat(second.events()).singleElement().isInstanceOf(IssueEvent.OccurrenceRecorded.class);
    IssueTotals totals = ((IssueEvent.OccurrenceRecorded) second.events().get(0)).totals();
    assertThat(totals.occurrences()).isEqualTo(2);
    assertThat(totals.affectedRequests()).isEqualTo(6);
    assertThat(totals.severity()).isEqualTo(0.5);
    assertThat(totals.bucketOccurrences()).isEqualTo(2);
    assertThat(totals.exampleTraceIds()).containsExactly("t2", "t1");
    // The mean of the two rankings, renormalised: cart 0.4, db 0.3, host-b 0.1 (of 0.8).
    assertThat(totals.ranking()).extracting(RootCause::subject).containsExactly("cart:8083", "postgres:5432", "host-b");
    assertThat(totals.ranking().stream().mapToDouble(RootCause::probability).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(totals.ranking().get(0).evidence()).containsExactly("errors originate in cart:8083");
  }

  @Test
  void aTraceRecordedAgainIsAcknowledgedAndNotCountedTwice() {
    var kit = entity("b2");
    record(kit, occurrence("b2", "t1", T0, 0.5, 1, CART));
    var again = record(kit, occurrence("b2", "t1", T0 + MINUTE, 0.9, 7, DB));

    assertThat(again.reply().isSuccess()).isTrue();
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(kit.getState().occurrences()).isEqualTo(1);
  }

  @Test
  void dedupRemembersOnlyTheLastWindowOfTraces() {
    var kit = entity("c3");
    IntStream.range(0, 6).forEach(i -> record(kit, occurrence("c3", "t" + i, T0 + i, 0.5, 1, CART)));
    // dedup-window = 5: t0 fell out, t1 is still remembered.
    assertThat(record(kit, occurrence("c3", "t1", T0 + 9, 0.5, 1, CART)).hasNoEvents()).isTrue();
    assertThat(record(kit, occurrence("c3", "t0", T0 + 9, 0.5, 1, CART)).events()).hasSize(1);
    assertThat(kit.getState().occurrences()).isEqualTo(7);
  }

  @Test
  void stateIsBoundedAndOutOfOrderOccurrencesKeepFirstAndLastSeen() {
    var kit = entity("d4");
    // Five buckets, newest first in time then an older one arriving late.
    for (int i = 0; i < 5; i++) {
      record(kit, occurrence("d4", "t" + i, T0 + i * 10 * MINUTE, 0.5, 1, i % 2 == 0 ? CART : DB));
    }
    record(kit, occurrence("d4", "late", T0 - 5 * MINUTE, 0.5, 1, CART));
    IssueState state = kit.getState();
    assertThat(state.firstSeenMillis()).isEqualTo(T0 - 5 * MINUTE);
    assertThat(state.lastSeenMillis()).isEqualTo(T0 + 40 * MINUTE);
    assertThat(state.buckets()).hasSize(3).extracting(IssueState.Bucket::startMillis)
        .containsExactly(T0 + 20 * MINUTE, T0 + 30 * MINUTE, T0 + 40 * MINUTE);
    assertThat(state.examples()).containsExactly("late", "t4", "t3");
    assertThat(state.recentRankings()).hasSize(4);
  }

  @Test
  void recoveryRebuildsTheSameStateFromTheEvents() {
    var kit = entity("e5");
    for (int i = 0; i < 7; i++) {
      record(kit, occurrence("e5", "t" + i, T0 + i * 3 * MINUTE, i / 10.0, i + 1, i < 4 ? CART : DB, HOST_B));
    }
    IssueState before = kit.getState();

    kit.restart();

    assertThat(kit.getState()).isEqualTo(before);
    // ranking-window = 4: the last four occurrences (one cart, three postgres) rank the issue.
    assertThat(before.ranking(settings).get(0).subject()).isEqualTo("postgres:5432");
    assertThat(record(kit, occurrence("e5", "t6", T0, 0.1, 1, CART)).hasNoEvents()).as("dedup survives").isTrue();
  }

  @Test
  void anOccurrenceOfAnotherIssueIsRefused() {
    var kit = entity("f6");
    var result = record(kit, occurrence("other", "t1", T0, 0.5, 1, CART));
    assertThat(result.reply().isError()).isTrue();
    assertThat(result.reply().getError().getMessage()).contains("sent to issue f6");
    assertThat(result.hasNoEvents()).isTrue();
  }

  @Test
  void everyPersistedOccurrencePublishesTheSummary() {
    ActorRef<Topic.Command<IssueSummary>> topic = testKit.spawn(IssueUpdates.topic());
    TestProbe<IssueSummary> subscriber = testKit.createTestProbe(IssueSummary.class);
    topic.tell(Topic.subscribe(subscriber.getRef()));
    awaitSubscribed(topic);
    var kit = entity("a7", topic);

    record(kit, occurrence("a7", "t1", System.currentTimeMillis(), 1.0, 3, CART));
    IssueSummary first = subscriber.expectMessageClass(IssueSummary.class);
    assertThat(first.occurrences()).isEqualTo(1);
    assertThat(first.status()).isEqualTo("open");
    assertThat(first.priority()).isPositive();
    assertThat(first.topRootCause()).isEqualTo(CART.probability() == 1 ? CART : new RootCause(CART.level(), CART.subject(), CART.service(), CART.host(), 1.0, CART.evidence()));

    record(kit, occurrence("a7", "t1", System.currentTimeMillis(), 1.0, 3, CART));
    subscriber.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aBurstOfOccurrencesIsPublishedAsOneUpdateAfterTheInterval() {
    ActorRef<Topic.Command<IssueSummary>> topic = testKit.spawn(IssueUpdates.topic());
    TestProbe<IssueSummary> subscriber = testKit.createTestProbe(IssueSummary.class);
    topic.tell(Topic.subscribe(subscriber.getRef()));
    awaitSubscribed(topic);
    IssueSettings coalescing =
        new IssueSettings(5, 3, 4, 3, 100, Duration.ofMillis(700), 10, Duration.ofSeconds(5), settings.timeline(), settings.priority());
    EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), IssueEntity.create("b8", coalescing, topic));
    long now = System.currentTimeMillis();

    record(kit, occurrence("b8", "t1", now, 0.5, 1, CART));
    assertThat(subscriber.expectMessageClass(IssueSummary.class).occurrences()).as("a new issue at once").isEqualTo(1);
    record(kit, occurrence("b8", "t2", now, 0.5, 1, CART));
    record(kit, occurrence("b8", "t3", now, 0.5, 1, CART));
    subscriber.expectNoMessage(Duration.ofMillis(300));
    assertThat(subscriber.expectMessageClass(IssueSummary.class, Duration.ofSeconds(3)).occurrences())
        .as("the burst as one update with the latest totals").isEqualTo(3);
    subscriber.expectNoMessage(Duration.ofMillis(900));
  }

  private static void awaitSubscribed(ActorRef<Topic.Command<IssueSummary>> topic) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      TestProbe<Topic.TopicStats> stats = testKit.createTestProbe(Topic.TopicStats.class);
      topic.tell(Topic.getTopicStats(stats.getRef()));
      assertThat(stats.receiveMessage().localSubscriberCount()).isPositive();
      return null;
    });
  }

  static IssueOccurrence occurrence(
      String issueId, String traceId, long at, double severity, int requests, RootCause... causes) {
    return new IssueOccurrence(issueId, "500s on checkout", "failure", traceId, at, severity, 0.9,
        List.of(causes), "host-b", "frontend:8080", "GET /checkout", requests);
  }
}
