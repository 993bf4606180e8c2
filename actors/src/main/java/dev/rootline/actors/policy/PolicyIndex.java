package dev.rootline.actors.policy;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The current policy of every scope that ever changed, in one sharded entity (persistence id
 * "PolicyIndex|all"): what a node starting up, or resyncing, fetches instead of asking every
 * scope's entity. A CapturePolicy entity upserts its scope after each change; an upsert of an
 * older or the same revision is acknowledged without persisting, so upserts may repeat and cross.
 *
 * <p>It also keeps, per scope, when its next temporary change expires, and every {@code
 * expiry-check-interval} wakes the entities whose change is due (entities are not remembered: a
 * passivated one would otherwise never revert).
 */
public final class PolicyIndex
    extends EventSourcedBehaviorWithEnforcedReplies<PolicyIndex.Command, PolicyIndex.Indexed, PolicyIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PolicyIndex");
  public static final String ENTITY_ID = "all";
  public static final String PERSISTENCE_TYPE = "PolicyIndex";

  public sealed interface Command extends CborSerializable {}

  /** Record the scope's policy unless a newer revision is known; acknowledged once persisted. */
  public record Upsert(ScopedPolicy policy, long nextExpiryMillis, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Every scope's current policy. */
  public record GetAll(ActorRef<All> replyTo) implements Command {}

  public record All(List<ScopedPolicy> policies) implements CborSerializable {}

  /** Timer: wake the scopes whose temporary change is due. */
  private enum CheckExpiries implements Command {
    INSTANCE
  }

  /** The event: a scope's policy as upserted. */
  public record Indexed(ScopedPolicy policy, long nextExpiryMillis) implements CborSerializable {}

  /** Scope key to its last {@link Indexed}. */
  public record State(Map<String, Indexed> scopes) implements CborSerializable {
    public static final State EMPTY = new State(Map.of());

    public State {
      scopes = Map.copyOf(scopes);
    }

    State with(Indexed e) {
      Map<String, Indexed> next = new HashMap<>(scopes);
      next.put(e.policy().scope().key(), e);
      return new State(next);
    }

    /** False when the index holds the same or a newer revision with the same expiry already. */
    boolean isNews(Indexed e) {
      Indexed known = scopes.get(e.policy().scope().key());
      return known == null
          || known.policy().revision() < e.policy().revision()
          || (known.policy().revision() == e.policy().revision() && known.nextExpiryMillis() != e.nextExpiryMillis());
    }
  }

  /**
   * Starts sharding of the index, hosted only on nodes with {@code role} (null: any node).
   *
   * @param wake tells a scope's CapturePolicy entity to check its expiries (by scope key)
   */
  public static void init(ActorSystem<?> system, PolicySettings settings, Consumer<String> wake, String role) {
    Entity<Command, ShardingEnvelope<Command>> entity = Entity.of(ENTITY_KEY, context -> create(settings, wake));
    ClusterSharding.get(system).init(role == null ? entity : entity.withRole(role));
  }

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.of(PERSISTENCE_TYPE, ENTITY_ID);

  public static Behavior<Command> create(PolicySettings settings, Consumer<String> wake) {
    return create(settings, wake, PERSISTENCE_ID);
  }

  /** Under another persistence id: a second index beside the cluster's (tests). */
  static Behavior<Command> create(PolicySettings settings, Consumer<String> wake, PersistenceId persistenceId) {
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(CheckExpiries.INSTANCE, settings.expiryCheckInterval());
          return new PolicyIndex(persistenceId, settings, wake);
        });
  }

  private final PolicySettings settings;
  private final Consumer<String> wake;

  private PolicyIndex(PersistenceId persistenceId, PolicySettings settings, Consumer<String> wake) {
    super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.settings = settings;
    this.wake = wake;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Indexed, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Upsert.class, this::onUpsert)
        .onCommand(GetAll.class, this::onGetAll)
        .onCommand(CheckExpiries.class, this::onCheckExpiries)
        .build();
  }

  private ReplyEffect<Indexed, State> onUpsert(State state, Upsert command) {
    if (command.policy() == null || command.policy().scope() == null || command.policy().policy() == null) {
      return Effect().reply(command.replyTo(), StatusReply.error("an upsert carries a scoped policy"));
    }
    Indexed e = new Indexed(command.policy(), Math.max(0, command.nextExpiryMillis()));
    if (!state.isNews(e)) {
      return Effect().reply(command.replyTo(), StatusReply.ack());
    }
    return Effect().persist(e).thenReply(command.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Indexed, State> onGetAll(State state, GetAll command) {
    List<ScopedPolicy> all =
        state.scopes().values().stream()
            .map(Indexed::policy)
            .sorted(Comparator.comparing(p -> p.scope().key()))
            .toList();
    return Effect().reply(command.replyTo(), new All(all));
  }

  private ReplyEffect<Indexed, State> onCheckExpiries(State state, CheckExpiries tick) {
    long horizon = System.currentTimeMillis() + settings.expiryCheckInterval().toMillis();
    state.scopes().values().stream()
        .filter(e -> e.nextExpiryMillis() > 0 && e.nextExpiryMillis() <= horizon)
        .forEach(e -> wake.accept(e.policy().scope().key()));
    return Effect().noReply();
  }

  @Override
  public EventHandler<State, Indexed> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Indexed.class, State::with).build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }
}
