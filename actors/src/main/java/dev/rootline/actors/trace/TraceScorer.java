package dev.rootline.actors.trace;

import dev.rootline.actors.inference.RootCausePrior;
import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.policy.PolicySet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The node-local judge of completed traces: a thin actor around {@link TraceJudge}, which holds
 * the whole decision (failure rules, baselines, isolation forests, retention, root-cause ranking,
 * issue fingerprint). Models are retrained in the background on the training dispatcher and
 * swapped in when done (versioned per endpoint).
 *
 * <p>Spawn it once per node with {@link #DISPATCHER}: scoring is CPU work and must not run on the
 * default dispatcher.
 */
public final class TraceScorer extends AbstractBehavior<TraceScorer.Command> {

  /** Where the scorer runs (its own dispatcher, see reference.conf). */
  public static final DispatcherSelector DISPATCHER =
      DispatcherSelector.fromConfig(TraceSettings.SCORER_DISPATCHER);

  public sealed interface Command extends CborSerializable {}

  /** Decide about a completed trace. */
  public record Score(CompletedTrace trace, ActorRef<Decision> replyTo) implements Command {}

  /** Which model version scores an endpoint now (0: none yet) and how many traces it holds. */
  public record GetModel(String endpoint, ActorRef<ModelStatus> replyTo) implements Command {}

  public record ModelStatus(String endpoint, long version, int windowTraces, List<String> features)
      implements CborSerializable {}

  // Never leaves the node (the scorer is node-local); a model is not a message format.
  private record ModelTrained(String endpoint, AnomalyModel model)
      implements Command, NoSerializationVerificationNeeded {}

  private record TrainingFailed(String endpoint, long version, String cause) implements Command {}

  private record PriorTrained(RootCauseRanker ranker)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * Rank root causes with {@code ranker} from now on: the live version of the Model entity, sent
   * by this node's ModelFollower. Node-local (a ranker is not a message format).
   */
  public record UseRanker(RootCauseRanker ranker)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * Judge with these capture policies from now on (each trace by its root span's effective
   * policy: anomaly threshold, normal-trace share, muted issues), sent by the node's
   * PolicyFollower on every change. Node-local.
   */
  public record UsePolicies(PolicySet policies)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * The scorer; restarted (forgetting its baselines) should anything throw, so that one bad trace
   * cannot leave the node deciding by rules alone.
   */
  public static Behavior<Command> create(ScorerSettings settings) {
    Behavior<Command> scorer =
        Behaviors.setup(
            context ->
                new TraceScorer(
                    context,
                    settings,
                    context
                        .getSystem()
                        .dispatchers()
                        .lookup(
                            DispatcherSelector.fromConfig(TraceSettings.TRAINING_DISPATCHER))));
    return Behaviors.supervise(scorer).onFailure(Exception.class, SupervisorStrategy.restart());
  }

  private final Executor training;
  private final TraceJudge judge;
  // Once the live model was handed over, the prior finishing late must not replace it.
  private boolean liveModelInUse;

  private TraceScorer(ActorContext<Command> context, ScorerSettings settings, Executor training) {
    super(context);
    this.training = training;
    this.judge = TraceJudge.deferred(settings);
    if (judge.ranker().version() == 0) {
      // The ranking prior is trained once per JVM (about a second of simulation): not here.
      context.pipeToSelf(
          CompletableFuture.supplyAsync(() -> RootCausePrior.ranker(settings.inference()), training),
          (ranker, failure) ->
              failure == null
                  ? new PriorTrained(ranker)
                  : new TrainingFailed("(root-cause prior)", 1, String.valueOf(failure)));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Score.class, this::onScore)
        .onMessage(GetModel.class, this::onGetModel)
        .onMessage(ModelTrained.class, this::onModelTrained)
        .onMessage(TrainingFailed.class, this::onTrainingFailed)
        .onMessage(PriorTrained.class, this::onPriorTrained)
        .onMessage(UseRanker.class, this::onUseRanker)
        .onMessage(UsePolicies.class, use -> {
          judge.usePolicies(use.policies());
          return this;
        })
        .build();
  }

  private Behavior<Command> onUseRanker(UseRanker use) {
    if (use.ranker().version() != judge.ranker().version()) {
      getContext().getLog().info("root-cause ranker v{} in use", use.ranker().version());
    }
    judge.useRanker(use.ranker());
    liveModelInUse = true;
    return this;
  }

  private Behavior<Command> onPriorTrained(PriorTrained trained) {
    if (liveModelInUse) {
      return this;
    }
    judge.useRanker(trained.ranker());
    getContext().getLog().debug("root-cause prior v{} in use", trained.ranker().version());
    return this;
  }

  private Behavior<Command> onScore(Score command) {
    command.replyTo().tell(judge.decide(command.trace()));
    for (TraceJudge.TrainingJob job : judge.takeTrainingJobs()) {
      getContext()
          .pipeToSelf(
              CompletableFuture.supplyAsync(job::run, training),
              (model, failure) ->
                  failure == null
                      ? new ModelTrained(job.endpoint(), model)
                      : new TrainingFailed(job.endpoint(), job.version(), String.valueOf(failure)));
    }
    return this;
  }

  private Behavior<Command> onModelTrained(ModelTrained trained) {
    judge.modelTrained(trained.endpoint(), trained.model());
    getContext()
        .getLog()
        .debug(
            "model v{} for {} trained on {} traces",
            trained.model().version(),
            trained.endpoint(),
            trained.model().trainedOn());
    return this;
  }

  private Behavior<Command> onTrainingFailed(TrainingFailed failed) {
    judge.trainingFailed(failed.endpoint());
    getContext()
        .getLog()
        .warn("training v{} for {} failed: {}", failed.version(), failed.endpoint(), failed.cause());
    return this;
  }

  private Behavior<Command> onGetModel(GetModel query) {
    EndpointBaseline baseline = judge.endpoint(query.endpoint());
    AnomalyModel model = baseline == null ? null : baseline.model();
    query
        .replyTo()
        .tell(
            new ModelStatus(
                query.endpoint(),
                model == null ? 0 : model.version(),
                baseline == null ? 0 : baseline.windowCount(),
                model == null ? List.of() : model.features()));
    return this;
  }
}
