package dev.rootline.actors.trace;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceEvent;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The durable record of one retained trace (persistence id "Trace|traceId"): each retention is a
 * {@link TraceEvent.TraceRetained} event, tagged {@link TraceEvent#TAG} for the read side. The
 * state is the latest retained version. Each new version holds every span recorded so far plus
 * the new ones (a trace entity started afresh after passivation may know fewer spans).
 * Retaining spans that are all recorded already persists nothing and acknowledges, so the trace
 * entity may retry freely.
 */
public final class TraceRecord
    extends EventSourcedBehaviorWithEnforcedReplies<
        TraceRecord.Command, TraceEvent, TraceRecord.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "TraceRecord");

  /** Persistence ids are "Trace|traceId" (the read side and the API look traces up by it). */
  public static final String PERSISTENCE_TYPE = "Trace";

  public sealed interface Command extends CborSerializable {}

  /** Persist this retained version of the trace (no-op if its spans are already recorded). */
  public record Retain(RetainedTrace trace, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** The latest retained version, if any. */
  public record Get(ActorRef<Current> replyTo) implements Command {}

  /** Reply to {@link Get}: {@code trace} is null when nothing was retained under this id. */
  public record Current(String traceId, RetainedTrace trace) implements CborSerializable {
    public Optional<RetainedTrace> retained() {
      return Optional.ofNullable(trace);
    }
  }

  /** The latest retained version, or null before the first event. */
  public record State(RetainedTrace latest) implements CborSerializable {
    static final State EMPTY = new State(null);

    /**
     * What {@code candidate} adds to what is recorded: every span either holds (a version from a
     * re-started trace entity may lack spans recorded before), reasons of both, the higher score.
     */
    RetainedTrace merge(RetainedTrace candidate) {
      if (latest == null) {
        return candidate;
      }
      Map<String, Span> spans = new LinkedHashMap<>();
      latest.spans().forEach(s -> spans.put(s.spanId(), s));
      candidate.spans().forEach(s -> spans.put(s.spanId(), s));
      Set<String> reasons = new LinkedHashSet<>(latest.reasons());
      reasons.addAll(candidate.reasons());
      return new RetainedTrace(
          candidate.traceId(),
          spans.values().stream()
              .sorted(Comparator.comparingLong(Span::startEpochNanos).thenComparing(Span::spanId))
              .toList(),
          Math.max(latest.anomalyScore(), candidate.anomalyScore()),
          List.copyOf(reasons),
          candidate.decidedAtEpochMillis(),
          strongerVerdict(latest.verdict(), candidate.verdict()),
          candidate.issueId() != null ? candidate.issueId() : latest.issueId(),
          candidate.rootCauses().isEmpty() ? latest.rootCauses() : candidate.rootCauses());
    }

    /** A failure stays a failure; a baseline sample that turned out anomalous is an anomaly. */
    private static String strongerVerdict(String a, String b) {
      if (RetainedTrace.FAILURE.equals(a) || RetainedTrace.FAILURE.equals(b)) {
        return RetainedTrace.FAILURE;
      }
      if (RetainedTrace.ANOMALY.equals(a) || RetainedTrace.ANOMALY.equals(b)) {
        return RetainedTrace.ANOMALY;
      }
      return b;
    }

    /** True when {@code merged} holds no span that is not recorded already. */
    boolean adds(RetainedTrace merged) {
      return latest == null || !Set.copyOf(latest.spans()).equals(Set.copyOf(merged.spans()));
    }
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())));
  }

  /** As {@link #init(ActorSystem)}, hosted only on nodes with {@code role} (others get a proxy). */
  public static void init(ActorSystem<?> system, String role) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())).withRole(role));
  }

  public static PersistenceId persistenceId(String traceId) {
    return PersistenceId.of(PERSISTENCE_TYPE, traceId);
  }

  public static Behavior<Command> create(String traceId) {
    return new TraceRecord(traceId);
  }

  private final String traceId;

  private TraceRecord(String traceId) {
    super(
        persistenceId(traceId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.traceId = traceId;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, TraceEvent, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Retain.class, this::onRetain)
        .onCommand(Get.class, this::onGet)
        .build();
  }

  private ReplyEffect<TraceEvent, State> onRetain(State state, Retain command) {
    RetainedTrace trace = command.trace();
    if (!traceId.equals(trace.traceId())) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(
                  "trace " + trace.traceId() + " sent to the record of trace " + traceId));
    }
    if (trace.spans().isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error("a retained trace has spans"));
    }
    RetainedTrace merged = state.merge(trace);
    if (!state.adds(merged)) {
      return Effect().reply(command.replyTo(), StatusReply.ack());
    }
    return Effect()
        // Names how the previous version was listed, so the read side moves its list rows.
        .persist(TraceEvent.TraceRetained.after(state.latest(), merged))
        .thenReply(command.replyTo(), newState -> StatusReply.ack());
  }

  private ReplyEffect<TraceEvent, State> onGet(State state, Get command) {
    return Effect().reply(command.replyTo(), new Current(traceId, state.latest()));
  }

  @Override
  public EventHandler<State, TraceEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TraceEvent.TraceRetained.class, (state, event) -> new State(event.trace()))
        .build();
  }

  @Override
  public Set<String> tagsFor(TraceEvent event) {
    return Set.of(TraceEvent.TAG);
  }

  /**
   * Events only, no snapshot read: a trace is retained once or a few times (late spans), so a
   * replay is a handful of events, and the common recovery is of a record that does not exist yet.
   * Reading the snapshot store first was one more Cassandra query per new trace; after a takeover
   * hundreds of them at once timed out and opened the snapshot store's circuit breaker, failing
   * every recovery for minutes (chaos rolling restart). No snapshots are written either. Records
   * written with snapshots before still recover: their events were never deleted.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }
}
