package dev.rootline.actors.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CapturePolicy entities, the index and followers on a one-node cluster (in-memory journal). */
class CapturePolicyEntityTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static PolicyTestCluster cluster;
  private static PolicyClient client;

  @BeforeAll
  static void start() {
    cluster = new PolicyTestCluster("CapturePolicyEntityTest");
    client = cluster.policies.client();
  }

  @AfterAll
  static void stop() {
    cluster.shutdown();
  }

  @Test
  void aChangeIsPersistedIndexedAndPublished() throws Exception {
    PolicyScope scope = PolicyScope.service("java:8082");
    TestProbe<ScopedPolicy> published = cluster.testKit.createTestProbe(ScopedPolicy.class);
    cluster.policies.updates().tell(Topic.subscribe(published.getRef()));
    awaitSubscribed();

    CapturePolicy more = new CapturePolicy(null, 2048, 0.2, null, null, null, null);
    var accepted = get(client.put(scope, more, "look closer at java", "alice"));

    assertThat(accepted.current()).isEqualTo(new ScopedPolicy(scope, 1, more, accepted.change().atMillis()));
    PolicyChange change = accepted.change();
    assertThat(change.revision()).isEqualTo(1);
    assertThat(change.before()).isEqualTo(CapturePolicy.EMPTY);
    assertThat(change.after()).isEqualTo(more);
    assertThat(change.source()).isEqualTo(PolicyChange.MANUAL);
    assertThat(change.reason()).isEqualTo("look closer at java");
    assertThat(change.by()).isEqualTo("alice");
    assertThat(change.expiresAtMillis()).isZero();
    cluster.journal.expectNextPersisted("CapturePolicy|service:java:8082", change);

    // Answered only once indexed: the index has it at once.
    PolicySet set = get(client.policies());
    assertThat(set.revision(scope)).isEqualTo(1);
    assertThat(set.effective(null, "java:8082", null).payloadBytes()).isEqualTo(2048);
    assertThat(set.effective(null, "python:8081", null)).isEqualTo(cluster.settings.defaults());
    assertThat(published.expectMessageClass(ScopedPolicy.class, WAIT).revision()).isEqualTo(1);

    // A PATCH changes only its fields.
    var patched = get(client.patch(scope, new CapturePolicy(false, null, null, null, null, null, null), null, "bob"));
    assertThat(patched.current().policy()).isEqualTo(new CapturePolicy(false, 2048, 0.2, null, null, null, null));
    assertThat(patched.change().revision()).isEqualTo(2);
    assertThat(patched.change().reason()).isEmpty();
  }

  @Test
  void theSameChangeAgainPersistsNothingAndIsAnsweredAsUnchanged() throws Exception {
    PolicyScope scope = PolicyScope.host("host-a");
    CapturePolicy off = new CapturePolicy(false, null, null, null, null, null, null);
    get(client.put(scope, off, "noisy host", "alice"));
    cluster.journal.expectNextPersistedClass("CapturePolicy|host:host-a", PolicyChange.class);

    var again = get(client.put(scope, off, "noisy host", "alice"));
    assertThat(again.change()).isNull();
    assertThat(again.current().revision()).isEqualTo(1);
    cluster.journal.expectNothingPersisted("CapturePolicy|host:host-a");
  }

  @Test
  void invalidChangesAreRefusedAndPersistNothing() {
    PolicyScope scope = PolicyScope.service("refused:1");
    List<CapturePolicy> invalid =
        List.of(
            new CapturePolicy(null, CapturePolicy.MAX_PAYLOAD_BYTES + 1, null, null, null, null, null),
            new CapturePolicy(null, -1, null, null, null, null, null),
            new CapturePolicy(null, null, 1.5, null, null, null, null),
            new CapturePolicy(null, null, -0.1, null, null, null, null),
            new CapturePolicy(null, null, null, Double.NaN, null, null, null),
            new CapturePolicy(null, null, null, null, 10L, null, null),
            new CapturePolicy(null, null, null, null, null, List.of("ssn"), null),
            new CapturePolicy(null, null, null, null, null, null, List.of("not-a-fingerprint")));
    for (CapturePolicy p : invalid) {
      Throwable refused = failure(client.put(scope, p, "bad", "alice"));
      assertThat(refused).as(p.toString()).isInstanceOf(IllegalArgumentException.class);
      assertThat(refused.getMessage()).isEqualTo(String.join("; ", p.problems()));
    }
    assertThat(failure(client.change(scope, false, CapturePolicy.EMPTY, "revert", "", "alice", null, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source must be manual or feedback");
    assertThat(failure(client.put(scope, CapturePolicy.EMPTY, "", " ")))
        .hasMessageContaining("by names who changes the policy");
    assertThat(failure(client.put(scope, CapturePolicy.EMPTY, "x".repeat(1001), "alice")))
        .hasMessageContaining("reason is at most 1000 characters");
    assertThat(failure(client.change(scope, true, CapturePolicy.EMPTY, "feedback", "", "tuner", "f1", 1)))
        .hasMessageContaining("expiresAtMillis must be 0 (permanent) or in the future");

    cluster.journal.expectNothingPersisted("CapturePolicy|service:refused:1");
    assertThat(cluster.journal.persistedInStorage("CapturePolicy|service:refused:1")).isEmpty();
  }

  @Test
  void aScopeWhosePathHoldsTheIdSeparatorWorksToo() throws Exception {
    PolicyScope scope = PolicyScope.endpoint("java:8082", "GET", "/a|b");
    var accepted = get(client.put(scope, new CapturePolicy(null, 8, null, null, null, null, null), "pipe", "alice"));
    assertThat(accepted.current().revision()).isEqualTo(1);
    cluster.journal.expectNextPersisted("CapturePolicy|endpoint:java:8082 GET /a|b", accepted.change());
  }

  @Test
  void anEntityIdThatIsNoScopeRefusesChanges() {
    TestProbe<CapturePolicyEntity.Outcome> probe = cluster.testKit.createTestProbe();
    var sharding = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(cluster.testKit.system());
    sharding
        .entityRefFor(CapturePolicyEntity.ENTITY_KEY, "planet:mars")
        .tell(new CapturePolicyEntity.Put(CapturePolicy.EMPTY, "", "manual", "alice", null, 0, probe.getRef()));
    var refused = probe.expectMessageClass(CapturePolicyEntity.Refused.class, WAIT);
    assertThat(refused.reason()).isEqualTo(CapturePolicyEntity.Reason.INVALID);
    assertThat(refused.problems().get(0)).contains("unknown scope kind \"planet\"");
  }

  @Test
  void revertPutsBackWhatARevisionReplacedAsANewChange() throws Exception {
    PolicyScope scope = PolicyScope.endpoint("java:8082", "GET", "/search");
    get(client.put(scope, new CapturePolicy(null, 512, null, null, null, null, null), "r1", "alice"));
    get(client.put(scope, new CapturePolicy(null, 4096, null, 0.9, null, null, null), "r2", "alice"));

    var reverted = get(client.revert(scope, 2, null, "bob"));
    PolicyChange change = reverted.change();
    assertThat(change.revision()).isEqualTo(3);
    assertThat(change.source()).isEqualTo(PolicyChange.REVERT);
    assertThat(change.cause()).isEqualTo("2");
    assertThat(change.reason()).isEqualTo("revert of revision 2");
    assertThat(change.by()).isEqualTo("bob");
    assertThat(change.after()).isEqualTo(new CapturePolicy(null, 512, null, null, null, null, null));
    assertThat(get(client.policy(scope)).policy()).isEqualTo(change.after());
    assertThat(get(client.policies()).effective(null, "java:8082", "java:8082 GET /search").payloadBytes()).isEqualTo(512);

    // Reverting revision 1 restores "no overrides".
    assertThat(get(client.revert(scope, 1, "back to defaults", "bob")).current().policy()).isEqualTo(CapturePolicy.EMPTY);

    assertThat(failure(client.revert(scope, 99, null, "bob")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("scope endpoint:java:8082 GET /search has no revision 99 (latest is 4)");
    assertThat(failure(client.revert(PolicyScope.service("never:1"), 1, null, "bob")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("never changed");

    var history = get(client.history(scope, 0, 10));
    assertThat(history.revision()).isEqualTo(4);
    assertThat(history.changes()).extracting(PolicyChange::revision).containsExactly(4L, 3L, 2L, 1L);
    assertThat(get(client.history(scope, 1, 2)).changes()).extracting(PolicyChange::revision).containsExactly(3L, 2L);
    assertThat(failure(client.history(PolicyScope.service("never:2"), 0, 10))).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void historyIsBoundedAndARevisionOutsideItCannotBeReverted() throws Exception {
    PolicyScope scope = PolicyScope.service("busy:1");
    for (int i = 1; i <= 7; i++) {
      get(client.put(scope, new CapturePolicy(null, i, null, null, null, null, null), "r" + i, "alice"));
    }
    var history = get(client.history(scope, 0, 100));
    assertThat(history.oldestKept()).isEqualTo(3);
    assertThat(history.changes()).extracting(PolicyChange::revision).containsExactly(7L, 6L, 5L, 4L, 3L);
    assertThat(failure(client.revert(scope, 2, null, "bob")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("older than the 5 changes kept");
  }

  @Test
  void aTemporaryChangeIsRevertedWhenItExpiresKeepingLaterChangesOfOtherFields() throws Exception {
    PolicyScope scope = PolicyScope.service("cart:8083");
    get(client.put(scope, new CapturePolicy(null, 256, null, null, null, null, null), "baseline", "alice"));
    long expires = System.currentTimeMillis() + 1500;
    var temporary =
        get(client.change(scope, true, new CapturePolicy(null, 4096, 0.5, null, null, null, null), PolicyChange.FEEDBACK,
            "confirmed root cause cart:8083 of issue 3fa1: capture more there", "policy-tuner", "feedback-7", expires));
    assertThat(temporary.change().expiresAtMillis()).isEqualTo(expires);
    // A manual change of the share meanwhile: expiry leaves it alone.
    get(client.patch(scope, new CapturePolicy(null, null, 0.3, null, null, null, null), "manual share", "bob"));

    ScopedPolicy reverted = awaitRevision(scope, 4);
    assertThat(reverted.policy()).isEqualTo(new CapturePolicy(null, 256, 0.3, null, null, null, null));
    PolicyChange expiry = get(client.history(scope, 0, 1)).changes().get(0);
    assertThat(expiry.source()).isEqualTo(PolicyChange.REVERT);
    assertThat(expiry.by()).isEqualTo(CapturePolicyEntity.EXPIRY);
    assertThat(expiry.cause()).isEqualTo("2");
    assertThat(expiry.reason()).startsWith("temporary change of revision 2 expired");
    assertThat(expiry.atMillis()).isGreaterThanOrEqualTo(expires);
    // The index (and so every follower) has the reverted policy.
    assertThat(get(client.policies()).own(scope)).isEqualTo(reverted.policy());
  }

  @Test
  void anExpiredChangeIsRevertedWhenTheEntityRecovers() throws Exception {
    PolicyScope scope = PolicyScope.host("recovering");
    RecordingIndex index = new RecordingIndex();
    var updates = cluster.testKit.spawn(PolicyUpdates.topic());
    var entity = cluster.testKit.spawn(CapturePolicyEntity.create(scope.key(), cluster.settings, updates, index));
    TestProbe<CapturePolicyEntity.Outcome> probe = cluster.testKit.createTestProbe();
    long expires = System.currentTimeMillis() + 700;
    entity.tell(new CapturePolicyEntity.Patch(new CapturePolicy(false, null, null, null, null, null, null), "mute host",
        PolicyChange.FEEDBACK, "policy-tuner", "f9", expires, probe.getRef()));
    probe.expectMessageClass(CapturePolicyEntity.Accepted.class, WAIT);
    assertThat(index.upserts).last().extracting(u -> u.nextExpiryMillis).isEqualTo(expires);
    cluster.testKit.stop(entity);
    Thread.sleep(Math.max(0, expires - System.currentTimeMillis()) + 100);

    var restarted = cluster.testKit.spawn(CapturePolicyEntity.create(scope.key(), cluster.settings, updates, index));
    TestProbe<ScopedPolicy> current = cluster.testKit.createTestProbe();
    current.awaitAssert(
        WAIT,
        () -> {
          restarted.tell(new CapturePolicyEntity.Get(current.getRef()));
          ScopedPolicy p = current.expectMessageClass(ScopedPolicy.class);
          assertThat(p.revision()).isEqualTo(2);
          assertThat(p.policy()).isEqualTo(CapturePolicy.EMPTY);
          return null;
        });
    assertThat(index.upserts).last().satisfies(u -> {
      assertThat(u.policy.revision()).isEqualTo(2);
      assertThat(u.nextExpiryMillis).isZero();
    });
    cluster.testKit.stop(restarted);
  }

  @Test
  void aChangeTheIndexDidNotTakeIsAnsweredUnavailableAndCanBeRepeated() throws Exception {
    PolicyScope scope = PolicyScope.service("flaky:1");
    RecordingIndex index = new RecordingIndex();
    index.failing.set(true);
    var updates = cluster.testKit.spawn(PolicyUpdates.topic());
    var entity = cluster.testKit.spawn(CapturePolicyEntity.create(scope.key(), cluster.settings, updates, index));
    TestProbe<CapturePolicyEntity.Outcome> probe = cluster.testKit.createTestProbe();
    CapturePolicy p = new CapturePolicy(null, 100, null, null, null, null, null);

    entity.tell(new CapturePolicyEntity.Put(p, "try", PolicyChange.MANUAL, "alice", null, 0, probe.getRef()));
    var refused = probe.expectMessageClass(CapturePolicyEntity.Refused.class, WAIT);
    assertThat(refused.reason()).isEqualTo(CapturePolicyEntity.Reason.UNAVAILABLE);
    assertThat(refused.problems().get(0)).contains("revision 1 of service:flaky:1 is saved but the policy index did not take it");

    index.failing.set(false);
    entity.tell(new CapturePolicyEntity.Put(p, "try", PolicyChange.MANUAL, "alice", null, 0, probe.getRef()));
    var accepted = probe.expectMessageClass(CapturePolicyEntity.Accepted.class, WAIT);
    assertThat(accepted.change()).isNull();
    assertThat(accepted.current().revision()).isEqualTo(1);
    assertThat(index.upserts).last().extracting(u -> u.policy).isEqualTo(accepted.current());
    assertThat(cluster.journal.persistedInStorage("CapturePolicy|service:flaky:1")).hasSize(1);
    cluster.testKit.stop(entity);
  }

  @Test
  void theIndexWakesScopesWhoseTemporaryChangeIsDue() {
    TestProbe<String> woken = cluster.testKit.createTestProbe();
    var index = cluster.testKit.spawn(
        PolicyIndex.create(cluster.settings, woken.getRef()::tell, org.apache.pekko.persistence.typed.PersistenceId.of("PolicyIndex", "wake-test")));
    TestProbe<org.apache.pekko.pattern.StatusReply<Done>> acks = cluster.testKit.createTestProbe();
    ScopedPolicy due = new ScopedPolicy(PolicyScope.service("due:1"), 3, CapturePolicy.EMPTY, 1);
    ScopedPolicy later = new ScopedPolicy(PolicyScope.service("later:1"), 1, CapturePolicy.EMPTY, 1);
    index.tell(new PolicyIndex.Upsert(due, System.currentTimeMillis(), acks.getRef()));
    index.tell(new PolicyIndex.Upsert(later, System.currentTimeMillis() + 3_600_000, acks.getRef()));
    // An older revision never replaces a newer one.
    index.tell(new PolicyIndex.Upsert(new ScopedPolicy(due.scope(), 2, new CapturePolicy(false, null, null, null, null, null, null), 1), 0, acks.getRef()));
    acks.receiveSeveralMessages(3, WAIT).forEach(a -> assertThat(a.isSuccess()).isTrue());

    assertThat(woken.expectMessage(WAIT, "service:due:1")).isEqualTo("service:due:1");
    woken.expectMessage(WAIT, "service:due:1");
    TestProbe<PolicyIndex.All> all = cluster.testKit.createTestProbe();
    index.tell(new PolicyIndex.GetAll(all.getRef()));
    assertThat(all.expectMessageClass(PolicyIndex.All.class).policies()).containsExactly(due, later);
    cluster.testKit.stop(index);
  }

  @Test
  void aFollowerStartedAfterAChangeGetsTheCurrentPolicyAndHearsLaterOnesLive() throws Exception {
    PolicyScope scope = PolicyScope.service("follow:1");
    get(client.put(scope, new CapturePolicy(null, null, null, 0.8, null, null, null), "before the node", "alice"));

    CopyOnWriteArrayList<PolicySet> heard = new CopyOnWriteArrayList<>();
    ActorRef<PolicyFollower.Command> follower =
        cluster.testKit.spawn(
            PolicyFollower.create(
                cluster.settings, cluster.policies.updates(), PolicyIndexClient.sharded(cluster.testKit.system(), cluster.settings)::all,
                List.of(heard::add)));
    TestProbe<PolicySet> probe = cluster.testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertThat(heard).isNotEmpty();
          assertThat(heard.get(heard.size() - 1).effective(null, "follow:1", null).anomalyThreshold()).isEqualTo(0.8);
          return null;
        });
    follower.tell(new PolicyFollower.Subscribe(probe.getRef()));
    assertThat(probe.expectMessageClass(PolicySet.class, WAIT).revision(scope)).isEqualTo(1);
    // A listener added later hears the current set at once, then every change.
    CopyOnWriteArrayList<PolicySet> late = new CopyOnWriteArrayList<>();
    follower.tell(new PolicyFollower.AddListener(late::add));
    probe.awaitAssert(WAIT, () -> assertThat(late).singleElement().satisfies(s -> assertThat(s.revision(scope)).isEqualTo(1)));

    long start = System.nanoTime();
    get(client.patch(scope, new CapturePolicy(null, null, null, 0.9, null, null, null), "live", "alice"));
    PolicySet live = probe.fishForMessage(WAIT, s -> s.revision(scope) == 2
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertThat(live.effective(null, "follow:1", null).anomalyThreshold()).isEqualTo(0.9);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    probe.awaitAssert(WAIT, () -> assertThat(late.get(late.size() - 1).revision(scope)).isEqualTo(2));
    cluster.testKit.stop(follower);
  }

  @Test
  void aFollowerRetriesUntilTheIndexAnswers() {
    AtomicBoolean up = new AtomicBoolean(false);
    ScopedPolicy p = new ScopedPolicy(PolicyScope.host("h9"), 4, new CapturePolicy(null, 64, null, null, null, null, null), 1);
    CopyOnWriteArrayList<PolicySet> heard = new CopyOnWriteArrayList<>();
    var follower =
        cluster.testKit.spawn(
            PolicyFollower.create(
                cluster.settings, cluster.testKit.spawn(PolicyUpdates.topic()),
                () -> up.get() ? CompletableFuture.completedFuture(List.of(p)) : CompletableFuture.failedFuture(new IllegalStateException("down")),
                List.of(heard::add)));
    TestProbe<PolicySet> probe = cluster.testKit.createTestProbe();
    follower.tell(new PolicyFollower.GetCurrent(probe.getRef()));
    assertThat(probe.expectMessageClass(PolicySet.class).scopes()).isEmpty();
    assertThat(heard).isEmpty();
    up.set(true);
    probe.awaitAssert(WAIT, () -> {
      assertThat(heard).hasSize(1);
      assertThat(heard.get(0).effective("h9", null, null).payloadBytes()).isEqualTo(64);
      return null;
    });
    cluster.testKit.stop(follower);
  }

  @Test
  void recoveryFromSnapshotsAndEventsRebuildsTheSameState() throws Exception {
    PolicySettings s = cluster.settings;
    PolicySettings snapshotEvery2 =
        new PolicySettings(s.defaults(), s.historySize(), 2, s.askTimeout(), s.indexAskTimeout(), s.indexAttempts(),
            s.indexRetryBackoff(), s.resyncInterval(), s.fetchRetry(), s.expiryCheckInterval(), s.maxReasonLength());
    PolicyScope scope = PolicyScope.service("snapshots:1");
    RecordingIndex index = new RecordingIndex();
    var updates = cluster.testKit.spawn(PolicyUpdates.topic());
    var entity = cluster.testKit.spawn(CapturePolicyEntity.create(scope.key(), snapshotEvery2, updates, index));
    TestProbe<CapturePolicyEntity.Outcome> outcomes = cluster.testKit.createTestProbe();
    for (int i = 1; i <= 5; i++) {
      entity.tell(new CapturePolicyEntity.Patch(new CapturePolicy(null, i * 10, null, null, null, List.of("cookie"), null),
          "step " + i, PolicyChange.FEEDBACK, "policy-tuner", "f" + i, System.currentTimeMillis() + 3_600_000, outcomes.getRef()));
      outcomes.expectMessageClass(CapturePolicyEntity.Accepted.class, WAIT);
    }
    TestProbe<CapturePolicyEntity.HistoryPage> pages = cluster.testKit.createTestProbe();
    entity.tell(new CapturePolicyEntity.History(0, 100, pages.getRef()));
    var before = pages.expectMessageClass(CapturePolicyEntity.HistoryPage.class, WAIT);
    cluster.testKit.stop(entity);
    assertThat(cluster.snapshots.persistedInStorage("CapturePolicy|service:snapshots:1")).isNotEmpty();

    var restarted = cluster.testKit.spawn(CapturePolicyEntity.create(scope.key(), snapshotEvery2, updates, index));
    restarted.tell(new CapturePolicyEntity.History(0, 100, pages.getRef()));
    assertThat(pages.expectMessageClass(CapturePolicyEntity.HistoryPage.class, WAIT)).isEqualTo(before);
    // The pending temporary change survived: it is still announced to the index with its expiry.
    assertThat(index.upserts).last().satisfies(u -> assertThat(u.nextExpiryMillis).isPositive());
    cluster.testKit.stop(restarted);
  }

  @Test
  void stateSnapshotsAndIndexEventsSurviveTheCborSerializer() {
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(cluster.testKit.system());
    PolicyScope scope = PolicyScope.endpoint("java:8082", "GET", "/search");
    PolicyChange change =
        new PolicyChange(scope, 1, CapturePolicy.EMPTY, new CapturePolicy(true, 1, 0.5, 0.5, 100L, List.of("email"), List.of()),
            PolicyChange.FEEDBACK, "why", "policy-tuner", 5, "f1", 99);
    CapturePolicyState state = CapturePolicyState.EMPTY.apply(change, 10);
    var indexed = new PolicyIndex.Indexed(state.scoped(scope), state.nextExpiryMillis());
    var indexState = PolicyIndex.State.EMPTY.with(indexed);
    for (Object o : List.of(state, indexed, indexState, change)) {
      byte[] bytes = serialization.serialize(o).get();
      var serializer = serialization.findSerializerFor(o);
      Object back =
          serialization.deserialize(bytes, serializer.identifier(),
              org.apache.pekko.serialization.Serializers.manifestFor(serializer, o)).get();
      assertThat(back).isEqualTo(o);
    }
  }

  private static void awaitSubscribed() throws InterruptedException {
    // The topic learns of a new local subscriber asynchronously.
    Thread.sleep(300);
  }

  private static ScopedPolicy awaitRevision(PolicyScope scope, long revision) {
    TestProbe<Object> waiter = cluster.testKit.createTestProbe();
    return waiter.awaitAssert(
        WAIT,
        () -> {
          ScopedPolicy p = get(client.policy(scope));
          assertThat(p.revision()).isEqualTo(revision);
          return p;
        });
  }

  private static <T> T get(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Throwable failure(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  /** An index that records upserts and can be made to fail. */
  private static final class RecordingIndex implements PolicyIndexClient {
    record Upsert(ScopedPolicy policy, long nextExpiryMillis) {}

    final CopyOnWriteArrayList<Upsert> upserts = new CopyOnWriteArrayList<>();
    final AtomicBoolean failing = new AtomicBoolean();

    @Override
    public CompletionStage<Done> upsert(ScopedPolicy policy, long nextExpiryMillis) {
      if (failing.get()) {
        return CompletableFuture.failedFuture(new IllegalStateException("index down"));
      }
      upserts.add(new Upsert(policy, nextExpiryMillis));
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<List<ScopedPolicy>> all() {
      return CompletableFuture.completedFuture(upserts.stream().map(Upsert::policy).toList());
    }
  }
}
