package dev.rootline.actors.issue;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.feedback.FeedbackSink;
import dev.rootline.actors.feedback.RoutedFeedback;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IssueFeedbackTest {

  private static final long T0 = 1_800_000_000_000L;
  private static final double[] V1 = vector(0.9);
  private static final double[] V2 = vector(0.1);
  private static final RootCause CART =
      new RootCause(RootCause.Level.SERVICE, "cart:8083", "cart:8083", null, 0.7, List.of("errors start here"), V1);
  private static final RootCause DB =
      new RootCause(RootCause.Level.SERVICE, "db:5432", "db:5432", null, 0.3, List.of("slow"), V2);

  private static ActorTestKit testKit;
  private static IssueSettings settings;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "IssueFeedbackTest",
            EventSourcedBehaviorTestKit.config()
                .withFallback(ConfigFactory.parseString(
                    "rootline.actors.issue { publish-interval = 0s, feedback-retry = 200ms }"))
                .withFallback(ConfigFactory.load()));
    settings = IssueSettings.create(testKit.system().settings().config());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static double[] vector(double x) {
    double[] v = new double[16];
    java.util.Arrays.fill(v, x);
    return v;
  }

  private static EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> entity(
      String issueId, FeedbackSink sink) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        IssueEntity.create(issueId, settings, testKit.spawn(IssueUpdates.topic()), sink),
        EventSourcedBehaviorTestKit.disabledSerializationSettings());
  }

  private static void occur(EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> kit,
      String issueId, String traceId) {
    IssueOccurrence o = new IssueOccurrence(issueId, "500 from cart", "failure", traceId, T0, 0.8, 0.9,
        List.of(CART, DB), "host-a", "frontend:8080", "GET /checkout", 3);
    kit.<org.apache.pekko.pattern.StatusReply<Done>>runCommand(replyTo -> new IssueEntity.RecordOccurrence(o, replyTo));
  }

  private static IssueEntity.FeedbackReply give(
      EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> kit, IssueFeedback f) {
    return kit.<IssueEntity.FeedbackReply>runCommand(replyTo -> new IssueEntity.GiveFeedback(f, replyTo)).reply();
  }

  private static IssueFeedback said(String id, IssueFeedback.Kind kind, RootCause.Level level, String subject) {
    return new IssueFeedback(id, kind, level, subject, "seen in the logs", "alice", T0 + 60_000);
  }

  @Test
  void aConfirmedCandidateIsRecordedAndReachesTheSinkAsLabels() throws Exception {
    LinkedBlockingQueue<RoutedFeedback> routed = new LinkedBlockingQueue<>();
    var kit = entity("f1", f -> {
      routed.add(f);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    occur(kit, "f1", "t1");
    occur(kit, "f1", "t2");

    var reply = give(kit, said("fb-1", IssueFeedback.Kind.CONFIRM, RootCause.Level.SERVICE, "cart:8083"));

    assertThat(reply).isInstanceOf(IssueEntity.FeedbackAccepted.class);
    RoutedFeedback r = routed.poll(5, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    assertThat(r.feedback().feedbackId()).isEqualTo("fb-1");
    assertThat(r.labels()).hasSize(2);
    RankingLabel newest = r.labels().get(0);
    assertThat(newest.traceId()).isEqualTo("t2");
    assertThat(newest.confirmedKey()).isEqualTo("SERVICE|cart:8083");
    assertThat(newest.keys()).containsExactly("SERVICE|cart:8083", "SERVICE|db:5432");
    assertThat(newest.vectors().get(0)).containsExactly(V1);
    awaitRouted(kit);
    assertThat(kit.getState().feedback()).extracting(IssueFeedback::feedbackId).containsExactly("fb-1");
    assertThat(kit.getState().status()).isEqualTo(IssueSummary.OPEN);
  }

  @Test
  void anUnknownCandidateOrIssueIsRefusedAndNothingIsPersisted() {
    var kit = entity("f2", FeedbackSink.ignoring());
    var unknownIssue = give(kit, said("fb-0", IssueFeedback.Kind.NOISE, null, null));
    assertThat(unknownIssue).isEqualTo(new IssueEntity.FeedbackRefused(true, "no issue f2"));

    occur(kit, "f2", "t1");
    var result = kit.<IssueEntity.FeedbackReply>runCommand(replyTo -> new IssueEntity.GiveFeedback(
        said("fb-2", IssueFeedback.Kind.CONFIRM, RootCause.Level.SERVICE, "nginx:80"), replyTo));
    assertThat(result.reply()).isInstanceOf(IssueEntity.FeedbackRefused.class);
    assertThat(((IssueEntity.FeedbackRefused) result.reply()).unknownIssue()).isFalse();
    assertThat(((IssueEntity.FeedbackRefused) result.reply()).reason()).contains("unknown candidate", "nginx:80");
    assertThat(result.hasNoEvents()).isTrue();

    var reject = kit.<IssueEntity.FeedbackReply>runCommand(replyTo -> new IssueEntity.GiveFeedback(
        said("fb-3", IssueFeedback.Kind.REJECT, RootCause.Level.HOST, "cart:8083"), replyTo));
    assertThat(reject.reply()).as("same subject, other level").isInstanceOf(IssueEntity.FeedbackRefused.class);
    assertThat(reject.hasNoEvents()).isTrue();
  }

  @Test
  void noiseMutesTheIssueAndMovesItsStatus() {
    var kit = entity("f3", FeedbackSink.ignoring());
    occur(kit, "f3", "t1");
    var result = kit.<IssueEntity.FeedbackReply>runCommand(replyTo -> new IssueEntity.GiveFeedback(
        said("fb-4", IssueFeedback.Kind.NOISE, null, null), replyTo));

    IssueEvent.FeedbackRecorded event = (IssueEvent.FeedbackRecorded) result.events().get(0);
    assertThat(event.previousStatus()).isEqualTo(IssueSummary.OPEN);
    assertThat(event.summary().status()).isEqualTo(IssueSummary.MUTED);
    assertThat(((IssueEntity.FeedbackAccepted) result.reply()).summary().status()).isEqualTo(IssueSummary.MUTED);
    // Later occurrences keep the muted status.
    occur(kit, "f3", "t2");
    assertThat(kit.getState().status()).isEqualTo(IssueSummary.MUTED);
  }

  @Test
  void aNamedCauseOutsideTheRankingMakesOnlyNegatives() throws Exception {
    LinkedBlockingQueue<RoutedFeedback> routed = new LinkedBlockingQueue<>();
    var kit = entity("f4", f -> {
      routed.add(f);
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    occur(kit, "f4", "t1");
    give(kit, said("fb-5", IssueFeedback.Kind.NAME_CAUSE, RootCause.Level.SERVICE, "redis:6379"));
    RankingLabel label = routed.poll(5, TimeUnit.SECONDS).labels().get(0);
    assertThat(label.confirmedKey()).isEqualTo("SERVICE|redis:6379");
    assertThat(label.rankable()).isFalse();
  }

  @Test
  void aFailingSinkGetsTheFeedbackAgainAndARepeatedIdCountsOnce() throws Exception {
    AtomicBoolean up = new AtomicBoolean(false);
    LinkedBlockingQueue<String> attempts = new LinkedBlockingQueue<>();
    var kit = entity("f5", f -> {
      attempts.add(f.feedback().feedbackId());
      return up.get()
          ? CompletableFuture.completedFuture(Done.getInstance())
          : CompletableFuture.failedFuture(new IllegalStateException("model entity unreachable"));
    });
    occur(kit, "f5", "t1");
    IssueFeedback f = said("fb-6", IssueFeedback.Kind.REJECT, RootCause.Level.SERVICE, "db:5432");
    give(kit, f);
    assertThat(attempts.poll(5, TimeUnit.SECONDS)).isEqualTo("fb-6");
    assertThat(attempts.poll(5, TimeUnit.SECONDS)).as("retried after feedback-retry").isEqualTo("fb-6");
    assertThat(kit.getState().unroutedFeedbackIds()).containsExactly("fb-6");
    up.set(true);
    awaitRouted(kit);

    var again = kit.<IssueEntity.FeedbackReply>runCommand(replyTo -> new IssueEntity.GiveFeedback(f, replyTo));
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(again.reply()).isInstanceOf(IssueEntity.FeedbackAccepted.class);
    assertThat(kit.getState().feedback()).hasSize(1);
  }

  private static void awaitRouted(EventSourcedBehaviorTestKit<IssueEntity.Command, IssueEvent, IssueState> kit) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!kit.getState().unroutedFeedbackIds().isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    assertThat(kit.getState().unroutedFeedbackIds()).as("feedback routed").isEmpty();
  }
}
