package dev.rootline.actors.model;

import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.actors.inference.RootCausePrior;
import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One ranking model (persistence id "Model|name", sharded by name; the one model now is {@link
 * #ROOT_CAUSE}). Version 1 is the prior ({@link RootCausePrior}), trained off-thread when the
 * entity first starts and persisted as {@link ModelEvent.ModelTrained} + {@link
 * ModelEvent.ModelPromoted}. Feedback labels ({@link AddLabels}, deduplicated by feedback and
 * trace, the newest {@code max-labels} kept) trigger a background training after {@code
 * retrain-after-labels} new ones, or on the {@code retrain-interval} timer, one at a time. A
 * candidate is promoted only if it does no worse than the live model on held-back labels (AC@1
 * and AC@3), otherwise rejected; both are persisted with the metrics. After every change of the
 * live version {@link ModelLive} is published, so that every node's scorer ranks with it.
 */
public final class ModelEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ModelEntity.Command, ModelEvent, ModelState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Model");

  /** Persistence ids are "Model|name". */
  public static final String PERSISTENCE_TYPE = "Model";

  /** The root-cause ranker, the one model Rootline trains now. */
  public static final String ROOT_CAUSE = "root-cause";

  /** The models that exist (the API answers 404 for any other name). */
  public static final List<String> MODELS = List.of(ROOT_CAUSE);

  public sealed interface Command extends CborSerializable {}

  private static final String PRIOR = "the prior";

  /** Learn from these labels; replies once they are persisted (duplicates and invalid ones skipped). */
  public record AddLabels(List<RankingLabel> labels, ActorRef<StatusReply<LabelsAccepted>> replyTo)
      implements Command {}

  /** Train now (when labels exist); replies when that training (or the one running) is judged. */
  public record Retrain(ActorRef<StatusReply<TrainingOutcome>> replyTo) implements Command {}

  /**
   * Make an earlier promoted version live again: {@code toVersion}, or when null the newest
   * superseded version below the live one. Refused when there is nothing to roll back to.
   */
  public record Rollback(Long toVersion, ActorRef<StatusReply<ModelView>> replyTo) implements Command {}

  /** The model: its versions, metrics and which is live. */
  public record Get(ActorRef<ModelView> replyTo) implements Command {}

  /**
   * Reply to {@link AddLabels}.
   *
   * @param held labels the model holds now
   * @param training true when a training is running (perhaps started by these labels)
   */
  public record LabelsAccepted(int added, int duplicates, int invalid, int held, boolean training)
      implements CborSerializable {}

  /** Reply to {@link Retrain}: the new version and whether it went live. */
  public record TrainingOutcome(
      long version, boolean promoted, String reason, ModelMetrics candidate, ModelMetrics live)
      implements CborSerializable {}

  /**
   * Reply to {@link Get} and {@link Rollback}.
   *
   * @param live the live version (0: the prior is still being trained)
   * @param generation how many times the live version changed
   * @param labels labels held
   * @param versions the versions kept, oldest first
   */
  public record ModelView(String name, long live, long generation, int labels, List<ModelVersion> versions)
      implements CborSerializable {

    public ModelView {
      versions = List.copyOf(versions);
    }

    /** The live version, or null when there is none yet. */
    public ModelVersion liveVersion() {
      return versions.stream().filter(v -> v.version() == live).findFirst().orElse(null);
    }

    /** The live ranker, or null when there is none yet. */
    public RootCauseRanker liveRanker() {
      ModelVersion v = liveVersion();
      return v == null ? null : RootCauseRanker.ofWeights(v.weights(), v.version());
    }
  }

  // Local results of work done off the entity's thread; they never leave the node.
  private record PriorReady(double[] weights, String reason)
      implements Command, NoSerializationVerificationNeeded {}

  private record TrainingDone(ModelTraining.Result result, long comparedTo, long generation, long labelMark)
      implements Command, NoSerializationVerificationNeeded {}

  private record TrainingFailed(String stage, String cause)
      implements Command, NoSerializationVerificationNeeded {}

  private enum RetrainTick implements Command {
    INSTANCE
  }

  private enum RetryPrior implements Command {
    INSTANCE
  }

  public static void init(
      ActorSystem<?> system, ModelSettings settings, ActorRef<Topic.Command<ModelLive>> topic) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, topic)));
  }

  /** As above, hosted only on nodes with {@code role} (the others get a proxy). */
  public static void init(
      ActorSystem<?> system,
      ModelSettings settings,
      ActorRef<Topic.Command<ModelLive>> topic,
      String role) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, topic))
                .withRole(role));
  }

  /** The sharded entity of model {@code name} (after {@link #init}). */
  public static EntityRef<Command> ref(ActorSystem<?> system, String name) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_KEY, name);
  }

  public static PersistenceId persistenceId(String name) {
    return PersistenceId.of(PERSISTENCE_TYPE, name);
  }

  public static Behavior<Command> create(
      String name, ModelSettings settings, ActorRef<Topic.Command<ModelLive>> topic) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new ModelEntity(name, settings, topic, context, timers)));
  }

  private final String name;
  private final ModelSettings settings;
  private final ActorRef<Topic.Command<ModelLive>> topic;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Executor training;
  // Not state: a training (or the prior) in flight is simply started again after a restart.
  private boolean priorRunning;
  private boolean trainingRunning;
  private final List<ActorRef<StatusReply<TrainingOutcome>>> waiting = new ArrayList<>();

  private ModelEntity(
      String name,
      ModelSettings settings,
      ActorRef<Topic.Command<ModelLive>> topic,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(
        persistenceId(name),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.name = name;
    this.settings = settings;
    this.topic = topic;
    this.context = context;
    this.timers = timers;
    this.training =
        context
            .getSystem()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig(ModelSettings.TRAINING_DISPATCHER));
  }

  @Override
  public ModelState emptyState() {
    return ModelState.EMPTY;
  }

  @Override
  public SignalHandler<ModelState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.class, this::onRecovered).build();
  }

  private void onRecovered(ModelState state, RecoveryCompleted signal) {
    if (state.versions().isEmpty()) {
      startPrior();
    } else {
      // A restarted or moved entity tells the followers again (cheap; they ignore what they have).
      publish(state);
    }
    if (!settings.retrainInterval().isZero()) {
      timers.startTimerWithFixedDelay(RetrainTick.INSTANCE, settings.retrainInterval());
    }
  }

  @Override
  public CommandHandlerWithReply<Command, ModelEvent, ModelState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(AddLabels.class, this::onAddLabels)
        .onCommand(Retrain.class, this::onRetrain)
        .onCommand(Rollback.class, this::onRollback)
        .onCommand(Get.class, this::onGet)
        .onCommand(PriorReady.class, this::onPriorReady)
        .onCommand(TrainingDone.class, this::onTrainingDone)
        .onCommand(TrainingFailed.class, this::onTrainingFailed)
        .onCommand(RetrainTick.class, this::onRetrainTick)
        .onCommand(RetryPrior.class, this::onRetryPrior)
        .build();
  }

  private ReplyEffect<ModelEvent, ModelState> onAddLabels(ModelState state, AddLabels command) {
    Set<String> known = state.labelKeys();
    List<RankingLabel> fresh = new ArrayList<>();
    Set<String> batch = new HashSet<>();
    int duplicates = 0;
    int invalid = 0;
    for (RankingLabel label : command.labels() == null ? List.<RankingLabel>of() : command.labels()) {
      if (!valid(label)) {
        invalid++;
      } else if (known.contains(ModelState.labelKey(label)) || !batch.add(ModelState.labelKey(label))) {
        duplicates++;
      } else {
        fresh.add(label);
      }
    }
    int skippedDuplicates = duplicates;
    int skippedInvalid = invalid;
    if (fresh.isEmpty()) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.success(
                  new LabelsAccepted(0, duplicates, invalid, state.labels().size(), trainingRunning)));
    }
    return Effect()
        .persist(new ModelEvent.LabelsAdded(fresh, System.currentTimeMillis()))
        .thenRun(this::trainIfDue)
        .thenReply(
            command.replyTo(),
            after ->
                StatusReply.success(
                    new LabelsAccepted(
                        fresh.size(), skippedDuplicates, skippedInvalid, after.labels().size(),
                        trainingRunning)));
  }

  /** A label the trainer can use: named, one vector of the ranker's size per candidate key. */
  private static boolean valid(RankingLabel label) {
    if (label == null || label.feedbackId() == null || label.traceId() == null || label.issueId() == null
        || label.keys().isEmpty()) {
      return false;
    }
    for (double[] v : label.vectors()) {
      if (v == null || v.length != CandidateEvidence.DIMENSIONS) {
        return false;
      }
      for (double x : v) {
        if (!Double.isFinite(x)) {
          return false;
        }
      }
    }
    return true;
  }

  private ReplyEffect<ModelEvent, ModelState> onRetrain(ModelState state, Retrain command) {
    if (trainingRunning) {
      waiting.add(command.replyTo());
      return Effect().noReply();
    }
    if (state.live() == 0) {
      return Effect()
          .reply(command.replyTo(), StatusReply.error("model " + name + ": the prior is still being trained"));
    }
    if (state.labels().isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error("model " + name + ": no labels to train on"));
    }
    waiting.add(command.replyTo());
    startTraining(state);
    return Effect().noReply();
  }

  private ReplyEffect<ModelEvent, ModelState> onRollback(ModelState state, Rollback command) {
    ModelVersion target;
    if (command.toVersion() == null) {
      target = state.previousPromoted();
      if (target == null) {
        return Effect()
            .reply(
                command.replyTo(),
                StatusReply.error(
                    "model " + name + ": nothing to roll back to (live v" + state.live()
                        + " has no earlier promoted version)"));
      }
    } else {
      target = state.version(command.toVersion());
      String refusal =
          target == null
              ? "no version " + command.toVersion() + " is kept"
              : target.version() == state.live()
                  ? "v" + target.version() + " is live already"
                  : !target.wasPromoted() ? "v" + target.version() + " was never promoted (" + target.status() + ")"
                  : null;
      if (refusal != null) {
        return Effect()
            .reply(command.replyTo(), StatusReply.error("model " + name + ": nothing to roll back to: " + refusal));
      }
    }
    long from = state.live();
    return Effect()
        .persist(
            new ModelEvent.RolledBack(
                from, target.version(), "rolled back from v" + from + " by an operator",
                System.currentTimeMillis()))
        .thenRun(this::publish)
        .thenReply(command.replyTo(), after -> StatusReply.success(view(after)));
  }

  private ReplyEffect<ModelEvent, ModelState> onGet(ModelState state, Get command) {
    return Effect().reply(command.replyTo(), view(state));
  }

  private ModelView view(ModelState state) {
    return new ModelView(name, state.live(), state.generation(), state.labels().size(), state.versions());
  }

  private ReplyEffect<ModelEvent, ModelState> onRetrainTick(ModelState state, RetrainTick tick) {
    if (state.live() != 0 && !trainingRunning && state.newLabels() > 0 && !state.labels().isEmpty()) {
      startTraining(state);
    }
    return Effect().noReply();
  }

  private void startPrior() {
    if (priorRunning) {
      return;
    }
    priorRunning = true;
    context.pipeToSelf(
        CompletableFuture.supplyAsync(
            () -> {
              RootCauseRanker prior = RootCausePrior.ranker(settings.inference());
              return prior.weights();
            },
            training),
        (weights, failure) ->
            failure == null
                ? new PriorReady(
                    weights,
                    "the prior: trained on " + settings.inference().priorIncidents()
                        + " simulated incidents (seed " + settings.inference().priorSeed()
                        + ") before any feedback")
                : new TrainingFailed(PRIOR, String.valueOf(failure)));
  }

  private ReplyEffect<ModelEvent, ModelState> onPriorReady(ModelState state, PriorReady ready) {
    priorRunning = false;
    if (!state.versions().isEmpty()) {
      return Effect().noReply();
    }
    long now = System.currentTimeMillis();
    return Effect()
        .persist(
            List.of(
                new ModelEvent.ModelTrained(1, ready.weights(), 0, 0, 0, null, null, 0, now),
                new ModelEvent.ModelPromoted(1, ready.reason(), now)))
        .thenRun(this::publish)
        .thenRun(this::trainIfDue)
        .thenNoReply();
  }

  private void trainIfDue(ModelState state) {
    if (state.live() != 0 && !trainingRunning && state.newLabels() >= settings.retrainAfterLabels()) {
      startTraining(state);
    }
  }

  private void startTraining(ModelState state) {
    trainingRunning = true;
    List<RankingLabel> labels = state.labels();
    long version = state.lastVersion() + 1;
    ModelVersion live = state.liveVersion();
    long generation = state.generation();
    long labelMark = state.labelsAdded();
    context.getLog().info("model {}: training v{} on {} labels", name, version, labels.size());
    context.pipeToSelf(
        CompletableFuture.supplyAsync(
            () -> ModelTraining.run(settings, labels, version, live.version(), live.weights()), training),
        (result, failure) ->
            failure == null
                ? new TrainingDone(result, live.version(), generation, labelMark)
                : new TrainingFailed("v" + version, String.valueOf(failure)));
  }

  private ReplyEffect<ModelEvent, ModelState> onTrainingDone(ModelState state, TrainingDone done) {
    trainingRunning = false;
    ModelTraining.Result r = done.result();
    long now = System.currentTimeMillis();
    boolean promote = r.promote() && done.generation() == state.generation();
    String reason =
        r.promote() && !promote
            ? "the live model changed to v" + state.live() + " while v" + r.version()
                + " was trained against another; not promoted"
            : r.reason();
    List<ModelEvent> events =
        List.of(
            new ModelEvent.ModelTrained(
                r.version(), r.weights(), r.labelsUsed(), r.heldBack(), done.labelMark(), r.candidate(),
                r.live(), done.comparedTo(), now),
            promote
                ? new ModelEvent.ModelPromoted(r.version(), reason, now)
                : new ModelEvent.ModelRejected(r.version(), reason, now));
    TrainingOutcome outcome = new TrainingOutcome(r.version(), promote, reason, r.candidate(), r.live());
    List<ActorRef<StatusReply<TrainingOutcome>>> replies = List.copyOf(waiting);
    waiting.clear();
    context.getLog().info("model {}: v{} {}: {}", name, r.version(), promote ? "promoted" : "rejected", reason);
    return Effect()
        .persist(events)
        .thenRun(
            after -> {
              if (promote) {
                publish(after);
              }
              replies.forEach(replyTo -> replyTo.tell(StatusReply.success(outcome)));
              trainIfDue(after);
            })
        .thenNoReply();
  }

  private ReplyEffect<ModelEvent, ModelState> onTrainingFailed(ModelState state, TrainingFailed failed) {
    context.getLog().warn("model {}: training {} failed: {}", name, failed.stage(), failed.cause());
    if (failed.stage().equals(PRIOR)) {
      priorRunning = false;
      // Without a prior there is no live model: try again after a pause rather than never.
      timers.startSingleTimer(RetryPrior.INSTANCE, Duration.ofSeconds(10));
      return Effect().noReply();
    }
    trainingRunning = false;
    waiting.forEach(
        replyTo -> replyTo.tell(StatusReply.error("model " + name + ": training " + failed.stage() + " failed: " + failed.cause())));
    waiting.clear();
    return Effect().noReply();
  }

  private ReplyEffect<ModelEvent, ModelState> onRetryPrior(ModelState state, RetryPrior retry) {
    if (state.versions().isEmpty()) {
      startPrior();
    }
    return Effect().noReply();
  }

  private void publish(ModelState state) {
    ModelVersion live = state.liveVersion();
    if (live != null) {
      topic.tell(Topic.publish(new ModelLive(name, live.version(), state.generation(), live.weights())));
    }
  }

  @Override
  public EventHandler<ModelState, ModelEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ModelEvent.LabelsAdded.class, (state, e) -> state.withLabels(e, settings))
        .onEvent(ModelEvent.ModelTrained.class, (state, e) -> state.withTrained(e, settings))
        .onEvent(ModelEvent.ModelPromoted.class, ModelState::withPromoted)
        .onEvent(ModelEvent.ModelRejected.class, ModelState::withRejected)
        .onEvent(ModelEvent.RolledBack.class, ModelState::withRolledBack)
        .build();
  }

  // Every batch of labels is an event: recovery starts from a recent snapshot.
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }
}
