package dev.rootline.actors.trace;

import dev.rootline.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The node-local judge of completed traces. Rules first (a failure is always retained), then the
 * endpoint's isolation forest: a score at or above the threshold retains the trace. Every
 * non-failing trace joins its endpoint's training window; models are retrained in the background
 * on the training dispatcher and swapped in when done (versioned per endpoint).
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

  private final ScorerSettings settings;
  private final Executor training;
  // Access order + eviction of the eldest: a bounded, least-recently-scored-first map.
  private final Map<String, EndpointBaseline> baselines;

  private TraceScorer(ActorContext<Command> context, ScorerSettings settings, Executor training) {
    super(context);
    this.settings = settings;
    this.training = training;
    this.baselines =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, EndpointBaseline> eldest) {
            return size() > settings.maxEndpoints();
          }
        };
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Score.class, this::onScore)
        .onMessage(GetModel.class, this::onGetModel)
        .onMessage(ModelTrained.class, this::onModelTrained)
        .onMessage(TrainingFailed.class, this::onTrainingFailed)
        .build();
  }

  private Behavior<Command> onScore(Score command) {
    command.replyTo().tell(decide(command.trace()));
    return this;
  }

  /** The decision itself; also learns from the trace. */
  private Decision decide(CompletedTrace trace) {
    List<String> reasons = new ArrayList<>(FailureRules.reasons(trace.spans()));
    boolean failing = !reasons.isEmpty();
    double[] features = trace.features().vector();
    EndpointBaseline baseline =
        baselines.computeIfAbsent(trace.endpoint(), e -> new EndpointBaseline(settings.window()));
    AnomalyModel model = baseline.model();
    double score = model == null ? 0.0 : model.score(features);
    if (model != null && score >= settings.threshold()) {
      reasons.add(anomalyReason(score, trace));
    }
    // Failures are explained by the rules; keeping them out keeps the baseline "normal".
    if (!failing) {
      baseline.add(features);
      if (baseline.wantsTraining(settings.minTrain(), settings.retrainEvery())) {
        startTraining(trace.endpoint(), baseline);
      }
    }
    return new Decision(!reasons.isEmpty(), score, reasons, model == null ? 0 : model.version());
  }

  private String anomalyReason(double score, CompletedTrace trace) {
    return String.format(
        Locale.ROOT,
        "anomaly score %.2f ≥ %.2f for %s (duration %d ms)",
        score,
        settings.threshold(),
        trace.endpoint(),
        Math.round(trace.features().durationMillis()));
  }

  private void startTraining(String endpoint, EndpointBaseline baseline) {
    double[][] rows = baseline.startTraining();
    long version = baseline.trainingVersion();
    long seed = settings.seed() * 31 + endpoint.hashCode() * 1_000_003L + version;
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> AnomalyModel.train(rows, settings.trees(), settings.subsample(), seed, version),
                training),
            (model, failure) ->
                failure == null
                    ? new ModelTrained(endpoint, model)
                    : new TrainingFailed(endpoint, version, String.valueOf(failure)));
  }

  private Behavior<Command> onModelTrained(ModelTrained trained) {
    EndpointBaseline baseline = baselines.get(trained.endpoint());
    // An endpoint evicted meanwhile stays forgotten.
    if (baseline != null) {
      baseline.trained(trained.model());
      getContext()
          .getLog()
          .debug(
              "model v{} for {} trained on {} traces",
              trained.model().version(),
              trained.endpoint(),
              trained.model().trainedOn());
    }
    return this;
  }

  private Behavior<Command> onTrainingFailed(TrainingFailed failed) {
    EndpointBaseline baseline = baselines.get(failed.endpoint());
    if (baseline != null) {
      baseline.trainingFailed();
    }
    getContext()
        .getLog()
        .warn("training v{} for {} failed: {}", failed.version(), failed.endpoint(), failed.cause());
    return this;
  }

  private Behavior<Command> onGetModel(GetModel query) {
    EndpointBaseline baseline = baselines.get(query.endpoint());
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
