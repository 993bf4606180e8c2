package dev.rootline.actors.model;

import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.actors.trace.TraceScorer;
import dev.rootline.persistence.CborSerializable;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Keeps this node's scorer ranking with the live version of a model: it hears {@link ModelLive}
 * on the cluster-wide topic, and asks the {@link ModelEntity} at start and every {@code
 * resync-interval} (a published message may be lost, a scorer may restart with the prior). One per
 * trace node. A change is applied once, and never an older generation after a newer one.
 */
public final class ModelFollower extends AbstractBehavior<ModelFollower.Command> {

  public sealed interface Command extends CborSerializable {}

  /** The live version as published (adapted from the topic). */
  private record Published(ModelLive live) implements Command, NoSerializationVerificationNeeded {}

  private record Asked(ModelEntity.ModelView view, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  private enum Resync implements Command {
    INSTANCE
  }

  /**
   * The follower of the root-cause model on a node where {@link ModelEntity#init} ran: asks the
   * sharded entity, hears {@code topic}, drives {@code scorer}.
   */
  public static Behavior<Command> create(
      ActorSystem<?> system,
      ModelSettings settings,
      ActorRef<Topic.Command<ModelLive>> topic,
      ActorRef<TraceScorer.Command> scorer) {
    return create(
        settings, ModelEntity.ROOT_CAUSE, ModelEntity.ref(system, ModelEntity.ROOT_CAUSE), topic, scorer);
  }

  /** The follower of model {@code name}, asking {@code model} (the entity or its sharded ref). */
  public static Behavior<Command> create(
      ModelSettings settings,
      String name,
      RecipientRef<ModelEntity.Command> model,
      ActorRef<Topic.Command<ModelLive>> topic,
      ActorRef<TraceScorer.Command> scorer) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  topic.tell(
                      Topic.subscribe(context.messageAdapter(ModelLive.class, Published::new)));
                  timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.resyncInterval());
                  context.getSelf().tell(Resync.INSTANCE);
                  return new ModelFollower(context, settings, name, model, scorer);
                }));
  }

  private final ModelSettings settings;
  private final String name;
  private final RecipientRef<ModelEntity.Command> model;
  private final ActorRef<TraceScorer.Command> scorer;
  private long generation = -1;
  private long version = 0;

  private ModelFollower(
      ActorContext<Command> context,
      ModelSettings settings,
      String name,
      RecipientRef<ModelEntity.Command> model,
      ActorRef<TraceScorer.Command> scorer) {
    super(context);
    this.settings = settings;
    this.name = name;
    this.model = model;
    this.scorer = scorer;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Published.class, this::onPublished)
        .onMessage(Resync.class, this::onResync)
        .onMessage(Asked.class, this::onAsked)
        .build();
  }

  private Behavior<Command> onPublished(Published published) {
    ModelLive live = published.live();
    if (name.equals(live.name()) && live.generation() > generation) {
      use(live.version(), live.generation(), live.weights());
    }
    return this;
  }

  private Behavior<Command> onResync(Resync tick) {
    getContext()
        .ask(
            ModelEntity.ModelView.class,
            model,
            settings.askTimeout(),
            ModelEntity.Get::new,
            (view, failure) -> new Asked(view, failure == null ? null : String.valueOf(failure)));
    return this;
  }

  private Behavior<Command> onAsked(Asked asked) {
    if (asked.failure() != null) {
      getContext().getLog().debug("model {}: resync failed, keeping v{}: {}", name, version, asked.failure());
      return this;
    }
    ModelEntity.ModelView view = asked.view();
    ModelVersion live = view.liveVersion();
    // Told again even when unchanged: the scorer may have restarted with the prior since.
    if (live != null && view.generation() >= generation) {
      use(live.version(), view.generation(), live.weights());
    }
    return this;
  }

  private void use(long newVersion, long newGeneration, double[] weights) {
    if (newVersion != version) {
      getContext().getLog().info("model {}: ranking with v{} (was v{})", name, newVersion, version);
    }
    version = newVersion;
    generation = newGeneration;
    scorer.tell(new TraceScorer.UseRanker(RootCauseRanker.ofWeights(weights, newVersion)));
  }
}
