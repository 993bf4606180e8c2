package dev.rootline.actors.policy;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The capture policy of one scope (sharded by scope key, persistence id "CapturePolicy|<scope
 * key>", e.g. "CapturePolicy|service:java:8082"). It holds the scope's own overrides; every
 * accepted change persists one {@link PolicyChange} tagged {@link PolicyChange#TAG}, is published
 * on {@link PolicyUpdates} and upserted into the {@link PolicyIndex}; the change is answered only
 * once the index holds it (or as {@link Reason#UNAVAILABLE} when it cannot be written: the caller
 * repeats it, and a repeated change that changes nothing is answered without a new event).
 * Invalid changes are refused and persist nothing.
 *
 * <p>A change with {@code expiresAtMillis > 0} is temporary: when it expires the entity persists a
 * {@link PolicyChange#REVERT} putting back the fields it set that still hold its values. The
 * entity's timer does it on time; a passivated entity is woken by the index ({@link
 * CheckExpiry}) and checks again when it recovers.
 */
public final class CapturePolicyEntity
    extends EventSourcedBehaviorWithEnforcedReplies<CapturePolicyEntity.Command, PolicyChange, CapturePolicyState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CapturePolicy");

  /** Persistence ids are "CapturePolicy|scope key". */
  public static final String PERSISTENCE_TYPE = "CapturePolicy";

  /** {@code by} of the changes the entity makes itself when a temporary change expires. */
  public static final String EXPIRY = "policy-expiry";

  private static final int MAX_BY = 200;

  public sealed interface Command extends CborSerializable {}

  /**
   * Replace the scope's overrides with {@code policy} (null fields: inherited).
   *
   * @param source {@link PolicyChange#MANUAL} or {@link PolicyChange#FEEDBACK}
   * @param cause the feedback id for FEEDBACK, else null
   * @param expiresAtMillis when the change is undone again, 0 for a permanent change
   */
  public record Put(
      CapturePolicy policy,
      String reason,
      String source,
      String by,
      String cause,
      long expiresAtMillis,
      ActorRef<Outcome> replyTo)
      implements Command {}

  /** Set the non-null fields of {@code patch} in the scope's overrides; otherwise as {@link Put}. */
  public record Patch(
      CapturePolicy patch,
      String reason,
      String source,
      String by,
      String cause,
      long expiresAtMillis,
      ActorRef<Outcome> replyTo)
      implements Command {}

  /** Put back the overrides as they were before {@code revision}, as a new REVERT change. */
  public record Revert(long revision, String by, String reason, ActorRef<Outcome> replyTo) implements Command {}

  /** The scope's own policy at its revision (revision 0, EMPTY: never changed). */
  public record Get(ActorRef<ScopedPolicy> replyTo) implements Command {}

  /** Kept changes, newest first, from {@code offset}, at most {@code limit}. */
  public record History(int offset, int limit, ActorRef<HistoryPage> replyTo) implements Command {}

  /** Revert the temporary changes that are due (the entity's timer, and the index's wake-up). */
  public enum CheckExpiry implements Command {
    INSTANCE
  }

  /** Answer to a change. */
  public sealed interface Outcome extends CborSerializable {}

  /**
   * The change is persisted and indexed (or there was nothing to change).
   *
   * @param change the change made, null when the scope already had that policy
   */
  public record Accepted(ScopedPolicy current, PolicyChange change) implements Outcome {}

  /** The change was not made. */
  public record Refused(Reason reason, List<String> problems) implements Outcome {}

  public enum Reason {
    /** The change is not valid (problems say why); nothing was persisted. */
    INVALID,
    /** The revision to revert is unknown or older than the kept history. */
    NOT_FOUND,
    /** Persisted, but the index could not be updated: repeat the same change. */
    UNAVAILABLE
  }

  /**
   * Answer to {@link History}.
   *
   * @param revision the scope's latest revision (0: never changed); revisions 1..revision exist
   * @param oldestKept the oldest revision history and revert can still give (0: none)
   * @param changes newest first
   */
  public record HistoryPage(PolicyScope scope, long revision, long oldestKept, List<PolicyChange> changes)
      implements CborSerializable {}

  /** Starts sharding of the policy entities, hosted only on nodes with {@code role} (null: any). */
  public static void init(
      ActorSystem<?> system,
      PolicySettings settings,
      ActorRef<Topic.Command<ScopedPolicy>> updates,
      PolicyIndexClient index,
      String role) {
    Entity<Command, ShardingEnvelope<Command>> entity =
        Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, updates, index));
    ClusterSharding.get(system).init(role == null ? entity : entity.withRole(role));
  }

  /** What the index calls to wake a scope's entity (a message through sharding). */
  public static void wake(ClusterSharding sharding, String scopeKey) {
    sharding.entityRefFor(ENTITY_KEY, scopeKey).tell(CheckExpiry.INSTANCE);
  }

  /** "CapturePolicy|" + scope key; built as a unique id since a path may itself contain "|". */
  public static PersistenceId persistenceId(PolicyScope scope) {
    return PersistenceId.ofUniqueId(PERSISTENCE_TYPE + "|" + scope.key());
  }

  /** The entity of scope key {@code entityId}; an id that is no scope refuses every change. */
  public static Behavior<Command> create(
      String entityId,
      PolicySettings settings,
      ActorRef<Topic.Command<ScopedPolicy>> updates,
      PolicyIndexClient index) {
    PolicyScope scope;
    try {
      scope = PolicyScope.parse(entityId);
      if (!scope.key().equals(entityId)) {
        throw new IllegalArgumentException("\"" + entityId + "\" is not the canonical form " + scope.key());
      }
    } catch (IllegalArgumentException e) {
      return NotAScope.create(e.getMessage());
    }
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new CapturePolicyEntity(scope, settings, updates, index, context, timers)));
  }

  private final PolicyScope scope;
  private final PolicySettings settings;
  private final ActorRef<Topic.Command<ScopedPolicy>> updates;
  private final PolicyIndexClient index;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;

  private CapturePolicyEntity(
      PolicyScope scope,
      PolicySettings settings,
      ActorRef<Topic.Command<ScopedPolicy>> updates,
      PolicyIndexClient index,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(
        persistenceId(scope),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.scope = scope;
    this.settings = settings;
    this.updates = updates;
    this.index = index;
    this.context = context;
    this.timers = timers;
  }

  @Override
  public CapturePolicyState emptyState() {
    return CapturePolicyState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, PolicyChange, CapturePolicyState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Put.class, (state, c) -> onChange(state, c.policy(), false, c.reason(), c.source(), c.by(), c.cause(), c.expiresAtMillis(), c.replyTo()))
        .onCommand(Patch.class, (state, c) -> onChange(state, c.patch(), true, c.reason(), c.source(), c.by(), c.cause(), c.expiresAtMillis(), c.replyTo()))
        .onCommand(Revert.class, this::onRevert)
        .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), state.scoped(scope)))
        .onCommand(History.class, this::onHistory)
        .onCommand(CheckExpiry.class, this::onCheckExpiry)
        .build();
  }

  private ReplyEffect<PolicyChange, CapturePolicyState> onChange(
      CapturePolicyState state,
      CapturePolicy given,
      boolean patch,
      String reason,
      String source,
      String by,
      String cause,
      long expiresAtMillis,
      ActorRef<Outcome> replyTo) {
    long now = System.currentTimeMillis();
    List<String> problems = new ArrayList<>();
    if (given == null) {
      problems.add("a change carries a policy");
    } else {
      problems.addAll(given.problems());
    }
    if (!PolicyChange.MANUAL.equals(source) && !PolicyChange.FEEDBACK.equals(source)) {
      problems.add("source must be " + PolicyChange.MANUAL + " or " + PolicyChange.FEEDBACK + ", was " + source);
    }
    problems.addAll(whoAndWhy(by, reason));
    if (expiresAtMillis < 0 || (expiresAtMillis > 0 && expiresAtMillis <= now)) {
      problems.add("expiresAtMillis must be 0 (permanent) or in the future, was " + expiresAtMillis);
    }
    CapturePolicy next = given == null ? null : patch ? state.own().patchedWith(given) : given;
    if (next != null && scope.kind() == PolicyScope.Kind.GLOBAL && !next.over(settings.defaults()).complete()) {
      problems.add("the global policy must set every field");
    }
    if (!problems.isEmpty()) {
      return Effect().reply(replyTo, new Refused(Reason.INVALID, List.copyOf(problems)));
    }
    if (next.equals(state.own())) {
      return unchanged(state, replyTo);
    }
    PolicyChange change =
        new PolicyChange(
            scope, state.revision() + 1, state.own(), next, source, reason == null ? "" : reason, by, now, cause,
            expiresAtMillis);
    return persistAndAnswer(change, replyTo);
  }

  private ReplyEffect<PolicyChange, CapturePolicyState> onRevert(CapturePolicyState state, Revert command) {
    List<String> problems = whoAndWhy(command.by(), command.reason());
    if (!problems.isEmpty()) {
      return Effect().reply(command.replyTo(), new Refused(Reason.INVALID, problems));
    }
    long rev = command.revision();
    if (rev < 1 || rev > state.revision()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Refused(
                  Reason.NOT_FOUND,
                  List.of("scope " + scope.key() + " has no revision " + rev
                      + (state.revision() == 0 ? " (it was never changed)" : " (latest is " + state.revision() + ")"))));
    }
    var reverted = state.change(rev);
    if (reverted.isEmpty()) {
      return Effect()
          .reply(
              command.replyTo(),
              new Refused(
                  Reason.NOT_FOUND,
                  List.of("revision " + rev + " of scope " + scope.key() + " is older than the " + settings.historySize()
                      + " changes kept (oldest kept: " + state.oldestKept() + ")")));
    }
    CapturePolicy next = reverted.get().before();
    if (next.equals(state.own())) {
      return unchanged(state, command.replyTo());
    }
    String reason =
        command.reason() == null || command.reason().isBlank() ? "revert of revision " + rev : command.reason();
    PolicyChange change =
        new PolicyChange(
            scope, state.revision() + 1, state.own(), next, PolicyChange.REVERT, reason, command.by(),
            System.currentTimeMillis(), String.valueOf(rev), 0);
    return persistAndAnswer(change, command.replyTo());
  }

  private ReplyEffect<PolicyChange, CapturePolicyState> onHistory(CapturePolicyState state, History command) {
    int offset = Math.max(0, command.offset());
    int limit = Math.max(0, command.limit());
    List<PolicyChange> newestFirst = new ArrayList<>(state.recent());
    java.util.Collections.reverse(newestFirst);
    List<PolicyChange> page =
        offset >= newestFirst.size()
            ? List.of()
            : List.copyOf(newestFirst.subList(offset, Math.min(newestFirst.size(), offset + limit)));
    return Effect().reply(command.replyTo(), new HistoryPage(scope, state.revision(), state.oldestKept(), page));
  }

  /** Persists one REVERT per due temporary change (each over the state the previous one left). */
  private ReplyEffect<PolicyChange, CapturePolicyState> onCheckExpiry(CapturePolicyState state, CheckExpiry tick) {
    long now = System.currentTimeMillis();
    List<PolicyChange> reverts = new ArrayList<>();
    CapturePolicyState s = state;
    for (PolicyChange due : state.pending()) {
      if (due.expiresAtMillis() > now || !s.pending().contains(due)) {
        continue;
      }
      CapturePolicy next = CapturePolicyState.undo(s.own(), due);
      PolicyChange revert =
          new PolicyChange(
              scope, s.revision() + 1, s.own(), next, PolicyChange.REVERT,
              "temporary change of revision " + due.revision() + " expired (" + due.reason() + ")",
              EXPIRY, now, String.valueOf(due.revision()), 0);
      reverts.add(revert);
      s = s.apply(revert, settings.historySize());
    }
    if (reverts.isEmpty()) {
      scheduleExpiry(state);
      return Effect().noReply();
    }
    return Effect()
        .persist(reverts)
        .thenRun(
            after -> {
              scheduleExpiry(after);
              distribute(after)
                  .whenComplete(
                      (done, failure) -> {
                        if (failure != null) {
                          context.getLog().warn("policy index not updated after expiry in {}: {}", scope, failure.toString());
                        }
                      });
            })
        .thenNoReply();
  }

  private ReplyEffect<PolicyChange, CapturePolicyState> persistAndAnswer(PolicyChange change, ActorRef<Outcome> replyTo) {
    return Effect()
        .persist(change)
        .thenRun(
            after -> {
              scheduleExpiry(after);
              answerOnceIndexed(after, change, replyTo);
            })
        .thenNoReply();
  }

  /** Nothing to persist, but publish and index again: the earlier attempt may have failed there. */
  private ReplyEffect<PolicyChange, CapturePolicyState> unchanged(CapturePolicyState state, ActorRef<Outcome> replyTo) {
    answerOnceIndexed(state, null, replyTo);
    return Effect().noReply();
  }

  private void answerOnceIndexed(CapturePolicyState state, PolicyChange change, ActorRef<Outcome> replyTo) {
    ScopedPolicy current = state.scoped(scope);
    distribute(state)
        .whenComplete(
            (done, failure) ->
                replyTo.tell(
                    failure == null
                        ? new Accepted(current, change)
                        : new Refused(
                            Reason.UNAVAILABLE,
                            List.of("revision " + current.revision() + " of " + scope.key()
                                + " is saved but the policy index did not take it (" + failure.getMessage()
                                + "); repeat the change"))));
  }

  private java.util.concurrent.CompletionStage<org.apache.pekko.Done> distribute(CapturePolicyState state) {
    ScopedPolicy current = state.scoped(scope);
    updates.tell(Topic.publish(current));
    return index.upsert(current, state.nextExpiryMillis());
  }

  private void scheduleExpiry(CapturePolicyState state) {
    long next = state.nextExpiryMillis();
    if (next == 0) {
      timers.cancel(CheckExpiry.INSTANCE);
    } else {
      timers.startSingleTimer(
          CheckExpiry.INSTANCE, CheckExpiry.INSTANCE, Duration.ofMillis(Math.max(0, next - System.currentTimeMillis())));
    }
  }

  private List<String> whoAndWhy(String by, String reason) {
    List<String> problems = new ArrayList<>();
    if (by == null || by.isBlank() || by.length() > MAX_BY) {
      problems.add("by names who changes the policy (1 to " + MAX_BY + " characters)");
    }
    if (reason != null && reason.length() > settings.maxReasonLength()) {
      problems.add("reason is at most " + settings.maxReasonLength() + " characters, was " + reason.length());
    }
    return problems;
  }

  @Override
  public SignalHandler<CapturePolicyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.revision() > 0) {
                // Due changes revert at once; the index hears this scope again in case the update
                // after its last change was lost.
                scheduleExpiry(state);
                index
                    .upsert(state.scoped(scope), state.nextExpiryMillis())
                    .whenComplete(
                        (done, failure) -> {
                          if (failure != null) {
                            context.getLog().debug("index refresh of {} failed: {}", scope, failure.toString());
                          }
                        });
              }
            })
        .build();
  }

  @Override
  public EventHandler<CapturePolicyState, PolicyChange> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PolicyChange.class, (state, e) -> state.apply(e, settings.historySize()))
        .build();
  }

  @Override
  public Set<String> tagsFor(PolicyChange event) {
    return Set.of(PolicyChange.TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  /** The behaviour for an entity id that is no scope: it refuses every change and has nothing. */
  private static final class NotAScope {
    static Behavior<Command> create(String why) {
      Refused refused = new Refused(Reason.INVALID, List.of(why));
      return Behaviors.receiveMessage(
          command -> {
            // Get and History have no answer without a scope: their askers time out.
            if (command instanceof Put c) {
              c.replyTo().tell(refused);
            } else if (command instanceof Patch c) {
              c.replyTo().tell(refused);
            } else if (command instanceof Revert c) {
              c.replyTo().tell(refused);
            }
            return Behaviors.stopped();
          });
    }
  }
}
