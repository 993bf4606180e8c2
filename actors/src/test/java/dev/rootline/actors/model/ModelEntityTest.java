package dev.rootline.actors.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.RankerTraining;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.actors.trace.TraceScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Model entity on the persistence testkit's journal and snapshot store (every event and
 * snapshot goes through CBOR, as with Cassandra), with the real prior, real training and the real
 * promotion rule: feedback that contradicts the prior becomes a new live version that ranks a
 * fixed candidate list differently; a candidate that does worse on held-back labels is rejected;
 * rollbacks; recovery; and the follower that hands the live version to a scorer.
 */
class ModelEntityTest {

  // The prior's simulation and each training take seconds on a busy 2-core machine.
  private static final Duration SLOW = Duration.ofSeconds(90);

  // A fixed ranking: the prior puts the service where errors start first; feedback says the host.
  private static final String SERVICE = "SERVICE|cart:8083";
  private static final String HOST = "HOST|host-b";
  private static final String ENDPOINT = "ENDPOINT|frontend:8080 GET /checkout";
  private static final List<String> KEYS = List.of(SERVICE, HOST, ENDPOINT);

  private static ActorTestKit testKit;
  private static PersistenceTestKit journal;
  private static Config config;

  @BeforeAll
  static void start() {
    config =
        ConfigFactory.parseString(
                "rootline.actors.model { retrain-interval = 0s, snapshot-every = 3,"
                    + " resync-interval = 1s, ask-timeout = 5s }\n"
                    // The in-memory journal and snapshot store only: no Cassandra plugin started.
                    + "pekko.persistence.journal.auto-start-journals = []\n"
                    + "pekko.persistence.snapshot-store.auto-start-snapshot-stores = []\n")
            .withFallback(EventSourcedBehaviorTestKit.config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("ModelEntityTest", config);
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Settings with training only on demand (Retrain) unless {@code afterLabels} is small. */
  private static ModelSettings settings(int afterLabels) {
    return ModelSettings.create(
        ConfigFactory.parseString("rootline.actors.model.retrain-after-labels = " + afterLabels)
            .withFallback(config));
  }

  private static ActorRef<Topic.Command<ModelLive>> topic() {
    return testKit.spawn(ModelLive.topic());
  }

  private static ActorRef<ModelEntity.Command> spawn(String name, ModelSettings settings) {
    return testKit.spawn(ModelEntity.create(name, settings, topic()));
  }

  /** The entity's view once it satisfies {@code done} (asked until then). */
  private static ModelEntity.ModelView awaitView(
      ActorRef<ModelEntity.Command> model, Predicate<ModelEntity.ModelView> done) {
    TestProbe<ModelEntity.ModelView> probe = testKit.createTestProbe();
    long deadline = System.nanoTime() + SLOW.toNanos();
    while (true) {
      model.tell(new ModelEntity.Get(probe.ref()));
      ModelEntity.ModelView view = probe.receiveMessage(SLOW);
      if (done.test(view) || System.nanoTime() > deadline) {
        return view;
      }
      probe.expectNoMessage(Duration.ofMillis(200));
    }
  }

  private static ModelEntity.ModelView awaitPrior(ActorRef<ModelEntity.Command> model) {
    ModelEntity.ModelView view = awaitView(model, v -> v.live() == 1);
    assertThat(view.live()).as("the prior became version 1").isEqualTo(1);
    return view;
  }

  private static ModelEntity.LabelsAccepted add(ActorRef<ModelEntity.Command> model, List<RankingLabel> labels) {
    TestProbe<StatusReply<ModelEntity.LabelsAccepted>> probe = testKit.createTestProbe();
    model.tell(new ModelEntity.AddLabels(labels, probe.ref()));
    StatusReply<ModelEntity.LabelsAccepted> reply = probe.receiveMessage(SLOW);
    assertThat(reply.isSuccess()).isTrue();
    return reply.getValue();
  }

  private static StatusReply<ModelEntity.TrainingOutcome> retrain(ActorRef<ModelEntity.Command> model) {
    TestProbe<StatusReply<ModelEntity.TrainingOutcome>> probe = testKit.createTestProbe();
    model.tell(new ModelEntity.Retrain(probe.ref()));
    return probe.receiveMessage(SLOW);
  }

  private static StatusReply<ModelEntity.ModelView> rollback(ActorRef<ModelEntity.Command> model, Long to) {
    TestProbe<StatusReply<ModelEntity.ModelView>> probe = testKit.createTestProbe();
    model.tell(new ModelEntity.Rollback(to, probe.ref()));
    return probe.receiveMessage(SLOW);
  }

  private static List<ModelEvent> events(String name) {
    return journal.persistedInStorage("Model|" + name).stream().map(ModelEvent.class::cast).toList();
  }

  @Test
  void theFirstStartPersistsThePriorAsLiveVersion1() {
    ActorRef<ModelEntity.Command> model = spawn("prior", settings(1000));
    ModelEntity.ModelView view = awaitPrior(model);

    assertThat(view.name()).isEqualTo("prior");
    assertThat(view.versions()).singleElement().satisfies(v -> {
      assertThat(v.status()).isEqualTo(ModelVersion.LIVE);
      assertThat(v.weights()).hasSize(CandidateEvidence.DIMENSIONS + 1);
      assertThat(v.candidate()).isNull();
      assertThat(v.reason()).startsWith("the prior");
    });
    assertThat(events("prior"))
        .hasExactlyElementsOfTypes(ModelEvent.ModelTrained.class, ModelEvent.ModelPromoted.class);
    // The prior ranks the service where the errors start first.
    assertThat(order(view.liveRanker())).first().isEqualTo(SERVICE);
    assertThat(retrain(model).getError().getMessage()).contains("no labels to train on");
  }

  @Test
  void newLabelsTrainANewVersionInTheBackgroundWithMetrics() {
    ActorRef<ModelEntity.Command> model = spawn("auto", settings(3));
    awaitPrior(model);

    ModelEntity.LabelsAccepted first = add(model, labels("auto-f1", HOST, 0, 2));
    assertThat(first.added()).isEqualTo(2);
    assertThat(first.training()).as("2 new labels are fewer than retrain-after-labels").isFalse();
    ModelEntity.LabelsAccepted second = add(model, labels("auto-f2", HOST, 2, 1));
    assertThat(second.training()).as("the third label starts a training").isTrue();

    ModelEntity.ModelView view = awaitView(model, v -> v.versions().size() == 2);
    ModelVersion v2 = view.versions().get(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.labels() + v2.heldBack()).isEqualTo(3);
    assertThat(v2.candidate()).isNotNull();
    assertThat(v2.live()).isNotNull();
    assertThat(v2.comparedTo()).isEqualTo(1);
    assertThat(v2.status()).isIn(ModelVersion.LIVE, ModelVersion.REJECTED);
    assertThat(v2.reason()).isNotBlank();

    List<ModelEvent> events = events("auto");
    ModelEvent.ModelTrained trained =
        events.stream().filter(ModelEvent.ModelTrained.class::isInstance).map(ModelEvent.ModelTrained.class::cast)
            .filter(e -> e.version() == 2).findFirst().orElseThrow();
    assertThat(trained.labelMark()).isEqualTo(3);
    assertThat(trained.weights()).isEqualTo(v2.weights());
    assertThat(events.get(events.size() - 1))
        .isInstanceOfAny(ModelEvent.ModelPromoted.class, ModelEvent.ModelRejected.class);
  }

  @Test
  void theTimerTrainsWhenFewerNewLabelsThanTheThresholdWait() {
    ModelSettings timed =
        ModelSettings.create(
            ConfigFactory.parseString(
                    "rootline.actors.model { retrain-after-labels = 1000, retrain-interval = 500ms }")
                .withFallback(config));
    ActorRef<ModelEntity.Command> model = spawn("timer", timed);
    awaitPrior(model);
    assertThat(add(model, labels("timer-issue", HOST, 0, 1)).training()).isFalse();

    ModelEntity.ModelView view = awaitView(model, v -> v.versions().size() == 2);
    assertThat(view.versions()).hasSize(2);
    assertThat(view.versions().get(1).labels() + view.versions().get(1).heldBack()).isEqualTo(1);
    // No new label since: three more ticks train nothing.
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(1500));
    assertThat(awaitView(model, v -> true).versions()).hasSize(2);
  }

  @Test
  void feedbackThatContradictsThePriorChangesTheLiveRanking() {
    ActorRef<ModelEntity.Command> model = spawn("flip", settings(1000));
    RootCauseRanker before = awaitPrior(model).liveRanker();
    assertThat(order(before)).first().isEqualTo(SERVICE);

    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.addAll(labels("flip-issue-" + i, HOST, i, 1));
    }
    RankerTraining.Split split = RankerTraining.split(labels, settings(1000).heldBackShare());
    assertThat(split.heldBack()).as("some issues are held back").isNotEmpty();
    assertThat(split.training()).as("some issues are trained on").isNotEmpty();
    add(model, labels);

    StatusReply<ModelEntity.TrainingOutcome> reply = retrain(model);
    assertThat(reply.isSuccess()).isTrue();
    ModelEntity.TrainingOutcome outcome = reply.getValue();
    assertThat(outcome.version()).isEqualTo(2);
    assertThat(outcome.promoted()).as(outcome.reason()).isTrue();
    assertThat(outcome.candidate().rankings()).isEqualTo(split.heldBack().size());
    assertThat(outcome.candidate().ac1()).isGreaterThan(outcome.live().ac1());
    assertThat(outcome.reason()).startsWith("no worse: ");

    ModelEntity.ModelView after = awaitView(model, v -> v.live() == 2);
    assertThat(after.live()).isEqualTo(2);
    assertThat(after.versions()).extracting(ModelVersion::status)
        .containsExactly(ModelVersion.SUPERSEDED, ModelVersion.LIVE);
    assertThat(order(after.liveRanker())).as("the live ranking of the same candidates changed")
        .first().isEqualTo(HOST);
    assertThat(events("flip").subList(2, events("flip").size()))
        .hasExactlyElementsOfTypes(
            ModelEvent.LabelsAdded.class, ModelEvent.ModelTrained.class, ModelEvent.ModelPromoted.class);
  }

  @Test
  void aCandidateThatDoesWorseOnHeldBackLabelsIsRejected() {
    ActorRef<ModelEntity.Command> model = spawn("worse", settings(1000));
    awaitPrior(model);
    double share = settings(1000).heldBackShare();

    // Issues trained on say the host; the held-back issues say the service, as the prior does.
    List<RankingLabel> labels = new ArrayList<>();
    int heldBack = 0;
    for (int i = 0; i < 16; i++) {
      String issue = "worse-issue-" + i;
      boolean held = RankerTraining.unit(issue) < share;
      heldBack += held ? 1 : 0;
      labels.addAll(labels(issue, held ? SERVICE : HOST, i, 1));
    }
    assertThat(heldBack).isBetween(1, 15);
    add(model, labels);

    ModelEntity.TrainingOutcome outcome = retrain(model).getValue();
    assertThat(outcome.promoted()).as(outcome.reason()).isFalse();
    assertThat(outcome.reason()).startsWith("worse: ");
    assertThat(outcome.candidate().ac1()).isLessThan(outcome.live().ac1());

    ModelEntity.ModelView view = awaitView(model, v -> true);
    assertThat(view.live()).isEqualTo(1);
    assertThat(view.versions()).extracting(ModelVersion::status)
        .containsExactly(ModelVersion.LIVE, ModelVersion.REJECTED);
    assertThat(events("worse").get(events("worse").size() - 1)).isInstanceOf(ModelEvent.ModelRejected.class);
    assertThat(rollback(model, 2L).getError().getMessage()).contains("v2 was never promoted");
  }

  @Test
  void rollbackGoesToThePreviousPromotedVersionAndRefusesWhenThereIsNone() {
    ActorRef<ModelEntity.Command> model = spawn("rollback", settings(1000));
    awaitPrior(model);
    assertThat(rollback(model, null).getError().getMessage()).contains("nothing to roll back to");

    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.addAll(labels("rb-issue-" + i, HOST, i, 1));
    }
    add(model, labels);
    assertThat(retrain(model).getValue().promoted()).isTrue();

    StatusReply<ModelEntity.ModelView> back = rollback(model, null);
    assertThat(back.isSuccess()).isTrue();
    assertThat(back.getValue().live()).isEqualTo(1);
    assertThat(back.getValue().versions()).extracting(ModelVersion::status)
        .containsExactly(ModelVersion.LIVE, ModelVersion.ROLLED_BACK);
    assertThat(order(back.getValue().liveRanker())).first().isEqualTo(SERVICE);
    assertThat(rollback(model, null).getError().getMessage()).contains("nothing to roll back to");
    assertThat(rollback(model, 1L).getError().getMessage()).contains("v1 is live already");
    assertThat(rollback(model, 7L).getError().getMessage()).contains("no version 7");

    // A named version that was live before may be made live again.
    StatusReply<ModelEntity.ModelView> forward = rollback(model, 2L);
    assertThat(forward.getValue().live()).isEqualTo(2);
    assertThat(forward.getValue().generation()).isEqualTo(4);
    ModelEvent last = events("rollback").get(events("rollback").size() - 1);
    assertThat(last).isEqualTo(new ModelEvent.RolledBack(1, 2, ((ModelEvent.RolledBack) last).reason(),
        ((ModelEvent.RolledBack) last).atMillis()));
  }

  @Test
  void labelsAreDeduplicatedByFeedbackAndTraceAndInvalidOnesSkipped() {
    ActorRef<ModelEntity.Command> model = spawn("dedup", settings(1000));
    awaitPrior(model);
    List<RankingLabel> labels = labels("dedup-issue", HOST, 0, 3);
    assertThat(add(model, labels).added()).isEqualTo(3);

    RankingLabel shortVector =
        new RankingLabel("dedup-issue", "t-bad", List.of(HOST), List.of(new double[3]), HOST, List.of(), "fb-x", 1L);
    List<RankingLabel> again = new ArrayList<>(labels);
    again.add(labels.get(0));
    again.add(shortVector);
    ModelEntity.LabelsAccepted accepted = add(model, again);
    assertThat(accepted.added()).isZero();
    assertThat(accepted.duplicates()).isEqualTo(4);
    assertThat(accepted.invalid()).isEqualTo(1);
    assertThat(accepted.held()).isEqualTo(3);
    assertThat(events("dedup")).filteredOn(ModelEvent.LabelsAdded.class::isInstance).hasSize(1);
  }

  @Test
  void theLabelStoreKeepsTheNewestMaxLabels() {
    ModelSettings small =
        ModelSettings.create(
            ConfigFactory.parseString(
                    "rootline.actors.model { retrain-after-labels = 1000, max-labels = 5 }")
                .withFallback(config));
    ActorRef<ModelEntity.Command> model = spawn("bounded", small);
    awaitPrior(model);
    add(model, labels("bounded-a", HOST, 0, 4));
    ModelEntity.LabelsAccepted accepted = add(model, labels("bounded-b", HOST, 1, 4));
    assertThat(accepted.added()).isEqualTo(4);
    assertThat(accepted.held()).isEqualTo(5);
  }

  @Test
  void aLabelOfTenCandidatesIsAboutTwoKilobytesOfCbor() throws Exception {
    // reference.conf sizes max-labels by this (every label is in every snapshot).
    List<String> keys = IntStream.range(0, 10).mapToObj(i -> "ENDPOINT|frontend-" + i + ":8080 GET /checkout").toList();
    Random random = new Random(1);
    List<double[]> vectors = keys.stream().map(k -> random.doubles(CandidateEvidence.DIMENSIONS).toArray()).toList();
    RankingLabel label = new RankingLabel("3fa9c2d1", "4bf92f3577b34da6a3ce929d0e0e4736", keys, vectors,
        keys.get(0), keys.subList(1, 3), "feedback-0001", 1_800_000_000_000L);
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(testKit.system().classicSystem());
    int bytes = serialization.serialize(new ModelEvent.LabelsAdded(List.of(label), 1L)).get().length;
    assertThat(bytes).isBetween(1000, 2500);
  }

  @Test
  void aRestartedEntityRecoversItsVersionsLabelsAndLiveModel() {
    ModelSettings settings = settings(1000);
    ActorRef<ModelEntity.Command> model = spawn("recover", settings);
    awaitPrior(model);
    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.addAll(labels("rec-issue-" + i, HOST, i, 1));
    }
    add(model, labels);
    retrain(model);
    rollback(model, null);
    ModelEntity.ModelView before = awaitView(model, v -> true);
    assertThat(before.versions()).hasSize(2);

    testKit.stop(model);
    ActorRef<ModelEntity.Command> recovered = spawn("recover", settings);
    ModelEntity.ModelView after = awaitView(recovered, v -> true);
    assertThat(after).usingRecursiveComparison().isEqualTo(before);
    assertThat(after.versions()).extracting(ModelVersion::status)
        .containsExactly(ModelVersion.LIVE, ModelVersion.ROLLED_BACK);
    assertThat(after.labels()).isEqualTo(12);
    // Known labels stay known after recovery (from the snapshot and the events after it).
    assertThat(add(recovered, labels.subList(0, 2)).duplicates()).isEqualTo(2);
    // No second prior: the recovered entity did not train version 1 again.
    assertThat(events("recover")).filteredOn(e -> e instanceof ModelEvent.ModelTrained t && t.version() == 1)
        .hasSize(1);
  }

  @Test
  void theFollowerHandsEveryLiveChangeToTheScorer() {
    ModelSettings settings = settings(1000);
    ActorRef<Topic.Command<ModelLive>> topic = topic();
    ActorRef<ModelEntity.Command> model = testKit.spawn(ModelEntity.create("follow", settings, topic));
    TestProbe<TraceScorer.Command> scorer = testKit.createTestProbe();
    testKit.spawn(ModelFollower.create(settings, "follow", model, topic, scorer.ref()));

    assertThat(nextRanker(scorer).version()).isEqualTo(1);
    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.addAll(labels("fol-issue-" + i, HOST, i, 1));
    }
    add(model, labels);
    assertThat(retrain(model).getValue().promoted()).isTrue();
    RootCauseRanker promoted = awaitRanker(scorer, 2);
    assertThat(order(promoted)).first().isEqualTo(HOST);

    rollback(model, null);
    RootCauseRanker rolledBack = awaitRanker(scorer, 1);
    assertThat(order(rolledBack)).first().isEqualTo(SERVICE);
    // The resync keeps telling the live version (a restarted scorer gets it back).
    assertThat(nextRanker(scorer).version()).isEqualTo(1);
  }

  private static RootCauseRanker nextRanker(TestProbe<TraceScorer.Command> scorer) {
    return ((TraceScorer.UseRanker) scorer.receiveMessage(SLOW)).ranker();
  }

  private static RootCauseRanker awaitRanker(TestProbe<TraceScorer.Command> scorer, long version) {
    long deadline = System.nanoTime() + SLOW.toNanos();
    while (System.nanoTime() < deadline) {
      RootCauseRanker r = nextRanker(scorer);
      if (r.version() == version) {
        return r;
      }
    }
    throw new AssertionError("the scorer was never told v" + version);
  }

  /** The fixed candidates ordered by a ranker, most likely first. */
  private static List<String> order(RootCauseRanker ranker) {
    double[][] v = vectors(new Random(99));
    return IntStream.range(0, KEYS.size()).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> -ranker.logit(v[i])))
        .map(KEYS::get).toList();
  }

  /** {@code n} labels of one issue confirming {@code cause} among the three fixed candidates. */
  private static List<RankingLabel> labels(String issue, String cause, int seed, int n) {
    Random random = new Random(seed);
    List<RankingLabel> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      List<String> rejected = KEYS.stream().filter(key -> !key.equals(cause)).toList();
      out.add(new RankingLabel(issue, issue + "-trace-" + k, KEYS, Arrays.asList(vectors(random)), cause,
          rejected, "fb-" + issue, 1_800_000_000_000L + k));
    }
    return out;
  }

  /**
   * Evidence as the judge computes it for a typical incident where errors surface in a service
   * while the host they run on also shows up in every anomalous trace: the prior trusts the error
   * origin (service), feedback says the host was the cause.
   */
  private static double[][] vectors(Random random) {
    double[] service = new double[CandidateEvidence.DIMENSIONS];
    service[0] = 0.6 + 0.1 * random.nextDouble(); // origin share
    service[1] = 0.5;                              // above background
    service[2] = 0.3;
    service[3] = 0.2;
    service[4] = 0.15;
    service[5] = 0.8;                              // anomalous traces through it
    service[6] = 0.3;
    service[8] = 0.5 + 0.1 * random.nextDouble();  // error origin share
    service[9] = 0.45;
    service[11] = service[0];
    service[13] = 1;                               // level service
    double[] host = new double[CandidateEvidence.DIMENSIONS];
    host[0] = 0.2 + 0.05 * random.nextDouble();
    host[1] = 0.15;
    host[2] = 0.1;
    host[3] = 0.3;
    host[4] = 0.25;
    host[5] = 1.0;
    host[6] = 0.5 + 0.1 * random.nextDouble();
    host[8] = 0.1;
    host[9] = 0.05;
    host[11] = host[0];
    host[12] = 1;                                  // level host
    double[] endpoint = new double[CandidateEvidence.DIMENSIONS];
    endpoint[0] = 0.1;
    endpoint[1] = 0.05;
    endpoint[5] = 0.9;
    endpoint[6] = 0.1 + 0.05 * random.nextDouble();
    endpoint[11] = 0.1;
    endpoint[14] = 1;                              // level endpoint
    return new double[][] {service, host, endpoint};
  }
}
