package dev.rootline.actors.trace;

import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.policy.CurrentPolicies;
import dev.rootline.actors.stitch.MergedSpans;
import dev.rootline.actors.stitch.StitchCounters;
import dev.rootline.actors.stitch.StitchSettings;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One trace, sharded by trace id: every span of a trace reaches the same entity. It holds the
 * spans in memory until the trace is quiet (or too long, or too big), asks the node's {@link
 * TraceScorer} for a {@link Decision}, then either has the {@link TraceRecord} entity persist it
 * (retried with backoff until acknowledged, however long that takes while the node lives) and
 * publishes its summary, or only counts it in {@link PipelineStats}. Late spans re-open the
 * trace and it is decided again; a retained trace stays retained. A retained trace whose
 * decision names an issue (a fingerprint) is then recorded as an occurrence on its {@link
 * IssueEntity}, retried like the persist; only then is the trace done, so a crash re-decides it
 * instead of losing the occurrence (the issue counts a trace once). After a decision it lingers,
 * then passivates.
 *
 * <p>Phases: COLLECTING → SCORING → (PERSISTING) → DECIDED, back to COLLECTING on a late span.
 */
public final class TraceEntity extends AbstractBehavior<TraceEntity.Command> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Trace");

  public sealed interface Command extends CborSerializable {}

  /** One span of this entity's trace (duplicates from at-least-once delivery are ignored). */
  public record RecordSpan(Span span) implements Command {}

  /**
   * Stitching (see {@code dev.rootline.actors.stitch}): this trace's root span {@code spanId} is
   * the server end of a request whose client span {@code parentSpanId} is in trace {@code
   * traceId}. Unless this trace was already decided, its spans move there and later ones follow.
   */
  public record MergeInto(String traceId, String spanId, String parentSpanId) implements Command {}

  /** Where this trace stands (for operators and tests). */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * @param phase COLLECTING, SCORING, PERSISTING or DECIDED
   * @param spans spans held
   * @param decisions how many times the trace was decided
   * @param retained whether any decision retained it
   */
  public record Status(String traceId, String phase, int spans, int decisions, boolean retained)
      implements CborSerializable {}

  private enum Tick implements Command {
    QUIET_PERIOD_ELAPSED,
    MAX_DURATION_REACHED,
    LINGER_ELAPSED,
    RETRY_PERSIST
  }

  /** Sharding's stop message (passivation, hand-off): decide what is held first, then stop. */
  private enum Stop implements Command {
    INSTANCE
  }

  /**
   * A reliably delivered {@link SpanBatch} (see {@link TraceEntityWithDelivery}); {@code
   * confirmTo} is told once a decision covering these spans is done (retained: persisted).
   */
  private record BatchDelivered(
      SpanBatch batch,
      String producerId,
      long seqNr,
      ActorRef<ConsumerController.Confirmed> confirmTo)
      implements Command {}

  private record Scored(long generation, Decision decision) implements Command {}

  private record ScoringFailed(long generation, String cause) implements Command {}

  private record Persisted(long generation, RetainedTrace trace) implements Command {}

  private record PersistFailed(long generation, String cause) implements Command {}

  private record IssueRecorded(long generation) implements Command {}

  private enum Phase {
    COLLECTING,
    SCORING,
    PERSISTING,
    DECIDED
  }

  /**
   * Starts sharding of trace entities on this node. {@code scorer} and {@code retainedTraces}
   * are this node's own (see {@link TraceScorer#DISPATCHER}, {@link RetainedTraces#topic()}).
   */
  public static void init(
      ActorSystem<?> system,
      TraceSettings settings,
      ActorRef<TraceScorer.Command> scorer,
      ActorRef<Topic.Command<TraceSummary>> retainedTraces) {
    ClusterSharding.get(system).init(entity(settings, scorer, retainedTraces));
  }

  /**
   * As {@link #init(ActorSystem, TraceSettings, ActorRef, ActorRef)}, hosted only on nodes with
   * {@code role}; a node without it gets a proxy (its scorer and topic may then be null).
   */
  public static ActorRef<org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command>> init(
      ActorSystem<?> system,
      TraceSettings settings,
      ActorRef<TraceScorer.Command> scorer,
      ActorRef<Topic.Command<TraceSummary>> retainedTraces,
      String role) {
    return ClusterSharding.get(system).init(entity(settings, scorer, retainedTraces).withRole(role));
  }

  /** Each entity is a ShardingConsumerController around a TraceEntity (reliable delivery). */
  private static Entity<Command, org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command>>
      entity(
          TraceSettings settings,
          ActorRef<TraceScorer.Command> scorer,
          ActorRef<Topic.Command<TraceSummary>> retainedTraces) {
    return Entity.of(
            ENTITY_KEY,
            context ->
                TraceEntityWithDelivery.create(
                    deliveries ->
                        create(
                            context.getEntityId(),
                            context.getShard(),
                            settings,
                            scorer,
                            retainedTraces,
                            deliveries)))
        .withStopMessage(Stop.INSTANCE);
  }

  /** Sends a span to the entity of its trace, wherever in the cluster that lives. */
  public static void recordSpan(ClusterSharding sharding, Span span) {
    sharding.entityRefFor(ENTITY_KEY, span.traceId()).tell(new RecordSpan(span));
  }

  /** Sends a merge to the entity of the trace to be merged. */
  public static void mergeInto(ClusterSharding sharding, String traceId, MergeInto merge) {
    sharding.entityRefFor(ENTITY_KEY, traceId).tell(merge);
  }

  public static Behavior<Command> create(
      String traceId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      TraceSettings settings,
      ActorRef<TraceScorer.Command> scorer,
      ActorRef<Topic.Command<TraceSummary>> retainedTraces) {
    return create(traceId, shard, settings, scorer, retainedTraces, null);
  }

  /**
   * With {@code deliveries} (its ShardingConsumerController, which is then also the sharded
   * entity to passivate) the entity takes reliably delivered {@link SpanBatch}es.
   */
  static Behavior<Command> create(
      String traceId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      TraceSettings settings,
      ActorRef<TraceScorer.Command> scorer,
      ActorRef<Topic.Command<TraceSummary>> retainedTraces,
      ActorRef<ConsumerController.Start<SpanBatch>> deliveries) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new TraceEntity(
                        context,
                        timers,
                        traceId,
                        shard,
                        settings,
                        scorer,
                        retainedTraces,
                        deliveries)));
  }

  private final TimerScheduler<Command> timers;
  private final String traceId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final TraceSettings settings;
  private final ActorRef<TraceScorer.Command> scorer;
  private final ActorRef<Topic.Command<TraceSummary>> retainedTraces;
  private final ClusterSharding sharding;
  private final PipelineStats stats;
  private final DeliveryStats deliveryStats;
  // What the shard knows as this entity: the consumer controller around it, or itself.
  private final ActorRef<?> entityRef;
  // Confirmations owed to capture nodes' batches; told when the trace is decided (and persisted).
  private final List<ActorRef<ConsumerController.Confirmed>> unconfirmed = new ArrayList<>();
  private final Set<String> producersSeen = new HashSet<>();

  // Keyed by span id: a re-delivered span replaces itself instead of doubling.
  private final Map<String, Span> spans = new LinkedHashMap<>();
  private Phase phase = Phase.COLLECTING;
  private boolean changedSinceDecision;
  private boolean stopping;
  private long generation;
  private int decisions;
  private CompletedTrace current;
  private String countedAs;
  private boolean retainedBefore;
  private double retainedScore;
  private List<String> retainedReasons = List.of();
  private RetainedTrace pending;
  private IssueOccurrence pendingOccurrence;
  private int persistAttempts;
  // Stitching: where this trace's spans went (null until merged), and how long it waited.
  private final StitchSettings stitch;
  private final StitchCounters stitchCounters;
  private MergeInto mergedInto;
  private long firstSpanAtNanos;
  // The longest quiet period the capture policies give this trace's spans (null before any).
  private Duration quietPeriod;
  private final CurrentPolicies policies;

  private TraceEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String traceId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      TraceSettings settings,
      ActorRef<TraceScorer.Command> scorer,
      ActorRef<Topic.Command<TraceSummary>> retainedTraces,
      ActorRef<ConsumerController.Start<SpanBatch>> deliveries) {
    super(context);
    this.timers = timers;
    this.traceId = traceId;
    this.shard = shard;
    this.settings = settings;
    this.scorer = scorer;
    this.retainedTraces = retainedTraces;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.stats = PipelineStats.get(context.getSystem());
    this.policies = CurrentPolicies.get(context.getSystem());
    this.stitch = StitchSettings.get(context.getSystem());
    this.stitchCounters = StitchCounters.get(context.getSystem());
    this.deliveryStats = DeliveryStats.get(context.getSystem());
    if (deliveries != null) {
      this.entityRef = deliveries;
      @SuppressWarnings({"unchecked", "rawtypes"})
      ActorRef<ConsumerController.Delivery<SpanBatch>> adapter =
          context.messageAdapter(
              (Class) ConsumerController.Delivery.class,
              d -> {
                ConsumerController.Delivery<SpanBatch> delivery =
                    (ConsumerController.Delivery<SpanBatch>) d;
                return new BatchDelivered(
                    delivery.message(),
                    delivery.producerId(),
                    delivery.seqNr(),
                    delivery.confirmTo());
              });
      deliveries.tell(new ConsumerController.Start<>(adapter));
    } else {
      this.entityRef = context.getSelf();
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RecordSpan.class, this::onRecordSpan)
        .onMessage(MergeInto.class, this::onMergeInto)
        .onMessage(BatchDelivered.class, this::onBatchDelivered)
        .onMessageEquals(Tick.QUIET_PERIOD_ELAPSED, this::onTraceComplete)
        .onMessageEquals(Tick.MAX_DURATION_REACHED, this::onTraceComplete)
        .onMessage(Scored.class, this::onScored)
        .onMessage(ScoringFailed.class, this::onScoringFailed)
        .onMessage(Persisted.class, this::onPersisted)
        .onMessage(PersistFailed.class, this::onPersistFailed)
        .onMessage(IssueRecorded.class, this::onIssueRecorded)
        .onMessageEquals(Tick.RETRY_PERSIST, this::onRetryPersist)
        .onMessageEquals(Tick.LINGER_ELAPSED, this::onLingerElapsed)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onRecordSpan(RecordSpan command) {
    record(command.span());
    return this;
  }

  /**
   * The batch's spans are recorded like single spans; its confirmation waits for the decision
   * that covers them, or is told now if nothing is left to decide.
   */
  private Behavior<Command> onBatchDelivered(BatchDelivered delivered) {
    int size = delivered.batch() == null ? 0 : delivered.batch().spans().size();
    deliveryStats.batchReceived(size);
    // This incarnation's first batch from a producer is mid-sequence: the producer re-sent it.
    if (producersSeen.add(delivered.producerId()) && delivered.seqNr() > 1) {
      deliveryStats.batchRedelivered(size);
    }
    if (delivered.batch() != null) {
      if (!spans.isEmpty()
          && delivered.batch().spans().stream()
              .allMatch(span -> span != null && span.equals(spans.get(span.spanId())))) {
        deliveryStats.batchAlreadyHeld();
      }
      delivered.batch().spans().forEach(this::record);
    }
    unconfirmed.add(delivered.confirmTo());
    if (phase == Phase.DECIDED || (phase == Phase.COLLECTING && spans.isEmpty())) {
      confirmDelivered();
    }
    return this;
  }

  private void confirmDelivered() {
    for (ActorRef<ConsumerController.Confirmed> confirmTo : unconfirmed) {
      confirmTo.tell(ConsumerController.confirmed());
      deliveryStats.batchConfirmed();
    }
    unconfirmed.clear();
  }

  private void record(Span span) {
    if (mergedInto != null && span != null && span.spanId() != null) {
      forwardMerged(span);
      return;
    }
    stats.spanReceived();
    if (span == null || !traceId.equals(span.traceId())) {
      stats.spanDropped();
      getContext().getLog().warn("span of another trace sent to trace {}: skipped", traceId);
      return;
    }
    if (span.spanId() == null || span.service() == null || span.kind() == null) {
      stats.spanDropped();
      getContext().getLog().warn("span without id, service or kind in trace {}: skipped", traceId);
      return;
    }
    if (span.equals(spans.get(span.spanId()))) {
      return;
    }
    if (!spans.containsKey(span.spanId()) && spans.size() >= settings.maxSpans()) {
      stats.spanDropped();
      return;
    }
    boolean first = spans.isEmpty();
    if (first && decisions == 0) {
      firstSpanAtNanos = System.nanoTime();
    }
    spans.put(span.spanId(), span);
    quietPeriod = longer(quietPeriod, policyQuietPeriod(span));
    switch (phase) {
      case SCORING, PERSISTING -> changedSinceDecision = true;
      case DECIDED -> {
        timers.cancel(Tick.LINGER_ELAPSED);
        reopen();
      }
      case COLLECTING -> {
        if (first) {
          timers.startSingleTimer(
              Tick.MAX_DURATION_REACHED, Tick.MAX_DURATION_REACHED, settings.maxDuration());
        }
        timers.startSingleTimer(
            Tick.QUIET_PERIOD_ELAPSED, Tick.QUIET_PERIOD_ELAPSED, quietPeriod);
      }
    }
    if (phase == Phase.COLLECTING && spans.size() >= settings.maxSpans()) {
      decide();
    }
  }

  /**
   * The quiet period the capture policy in force gives this span (its endpoint over its service
   * over its host over global); a trace waits the longest of its spans'. A name no policy scope
   * can hold falls back to the configured quiet period.
   */
  private Duration policyQuietPeriod(Span span) {
    try {
      String endpoint =
          span.service() + " " + (span.method() == null || span.method().isBlank() ? "?" : span.method()) + " "
              + Endpoint.template(span.path());
      Long millis = policies.get().effective(blankToNull(span.host()), span.service(), endpoint).quietPeriodMillis();
      return millis == null ? settings.quietPeriod() : Duration.ofMillis(millis);
    } catch (IllegalArgumentException e) {
      return settings.quietPeriod();
    }
  }

  private static Duration longer(Duration a, Duration b) {
    return a == null || b.compareTo(a) > 0 ? b : a;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Back to collecting: late spans get a fresh quiet period and maximum duration. */
  private void reopen() {
    phase = Phase.COLLECTING;
    timers.startSingleTimer(
        Tick.MAX_DURATION_REACHED, Tick.MAX_DURATION_REACHED, settings.maxDuration());
    timers.startSingleTimer(
        Tick.QUIET_PERIOD_ELAPSED, Tick.QUIET_PERIOD_ELAPSED,
        quietPeriod == null ? settings.quietPeriod() : quietPeriod);
  }

  private Behavior<Command> onTraceComplete() {
    if (phase == Phase.COLLECTING && !spans.isEmpty()) {
      Duration wait = linkWaitLeft();
      if (!wait.isZero()) {
        timers.startSingleTimer(Tick.QUIET_PERIOD_ELAPSED, Tick.QUIET_PERIOD_ELAPSED, wait);
        return this;
      }
      decide();
    }
    return this;
  }

  /** A trace rooted in a server span may be the far end of a client span on another host. */
  private Duration linkWaitLeft() {
    if (decisions > 0 || stopping) {
      return Duration.ZERO;
    }
    boolean serverRoot = false;
    for (Span s : spans.values()) {
      serverRoot |= s.kind() == Span.Kind.SERVER && s.parentSpanId() == null;
    }
    return stitch.linkWaitLeft(serverRoot, Duration.ofNanos(System.nanoTime() - firstSpanAtNanos));
  }

  /** Moves every span to the client's trace, then only forwards, lingers and passivates. */
  private Behavior<Command> onMergeInto(MergeInto merge) {
    if (mergedInto != null
        || decisions > 0
        || phase != Phase.COLLECTING
        || merge.traceId() == null
        || merge.traceId().equals(traceId)) {
      stitchCounters.mergeRefused(); // decided on its own already: two traces stay two
      return this;
    }
    mergedInto = merge;
    stitchCounters.traceMerged();
    timers.cancel(Tick.QUIET_PERIOD_ELAPSED);
    timers.cancel(Tick.MAX_DURATION_REACHED);
    spans.values().forEach(this::forwardMerged);
    spans.clear();
    phase = Phase.DECIDED;
    // The spans now travel to the client's trace by a plain tell: this entity's deliveries are
    // done with (a crash of the target's node before it decides loses the merged spans' retry).
    confirmDelivered();
    timers.startSingleTimer(Tick.LINGER_ELAPSED, Tick.LINGER_ELAPSED, settings.linger());
    return this;
  }

  private void forwardMerged(Span span) {
    stitchCounters.spanForwarded();
    recordSpan(
        sharding,
        MergedSpans.moved(
            span, mergedInto.traceId(), mergedInto.spanId(), mergedInto.parentSpanId()));
  }

  private void decide() {
    timers.cancel(Tick.QUIET_PERIOD_ELAPSED);
    timers.cancel(Tick.MAX_DURATION_REACHED);
    phase = Phase.SCORING;
    changedSinceDecision = false;
    long gen = ++generation;
    CompletedTrace trace = CompletedTrace.of(traceId, new ArrayList<>(spans.values()));
    current = trace;
    getContext()
        .ask(
            Decision.class,
            scorer,
            settings.decideTimeout(),
            replyTo -> new TraceScorer.Score(trace, replyTo),
            (decision, failure) ->
                decision != null
                    ? new Scored(gen, decision)
                    : new ScoringFailed(gen, String.valueOf(failure)));
  }

  private Behavior<Command> onScored(Scored scored) {
    if (scored.generation() != generation || phase != Phase.SCORING) {
      return this;
    }
    return apply(scored.decision());
  }

  /** The scorer did not answer in time: decide by the failure rules alone, so no failure is lost. */
  private Behavior<Command> onScoringFailed(ScoringFailed failed) {
    if (failed.generation() != generation || phase != Phase.SCORING) {
      return this;
    }
    stats.scorerTimedOut();
    getContext()
        .getLog()
        .warn("scorer did not answer for trace {} ({}): rules only", traceId, failed.cause());
    List<String> reasons = FailureRules.reasons(current.spans());
    return apply(new Decision(!reasons.isEmpty(), 0.0, reasons, 0));
  }

  private Behavior<Command> apply(Decision decision) {
    if (decisions++ == 0) {
      stats.traceDecided();
    } else {
      stats.traceRedecided();
    }
    if (!decision.retain() && !retainedBefore) {
      if (countedAs == null) {
        countedAs = current.endpoint();
        stats.traceCounted(countedAs);
      }
      return afterDecision();
    }
    if (!retainedBefore) {
      retainedBefore = true;
      stats.traceRetained(current.endpoint());
      if (countedAs != null) {
        stats.traceUncounted(countedAs);
      }
    }
    Set<String> reasons = new LinkedHashSet<>(retainedReasons);
    reasons.addAll(decision.reasons());
    retainedReasons = List.copyOf(reasons);
    retainedScore = Math.max(retainedScore, decision.anomalyScore());
    pending =
        current.retained(decision, retainedScore, retainedReasons, System.currentTimeMillis());
    pendingOccurrence = IssueOccurrence.of(pending, decision.issueTitle(), decision.severity());
    persistAttempts = 0;
    phase = Phase.PERSISTING;
    persist();
    return this;
  }

  private void persist() {
    RetainedTrace trace = pending;
    long gen = generation;
    getContext()
        .pipeToSelf(
            sharding
                .entityRefFor(TraceRecord.ENTITY_KEY, traceId)
                .<org.apache.pekko.Done>askWithStatus(
                    replyTo -> new TraceRecord.Retain(trace, replyTo), settings.persistTimeout()),
            (done, failure) ->
                failure == null
                    ? new Persisted(gen, trace)
                    : new PersistFailed(gen, String.valueOf(failure)));
  }

  private Behavior<Command> onPersisted(Persisted persisted) {
    if (persisted.generation() != generation || phase != Phase.PERSISTING) {
      return this;
    }
    stats.tracePersisted();
    retainedTraces.tell(Topic.publish(persisted.trace().summary()));
    pending = null;
    if (pendingOccurrence != null) {
      persistAttempts = 0;
      recordOccurrence();
      return this;
    }
    return afterDecision();
  }

  /** Still PERSISTING: the trace is done once its issue has counted it. */
  private void recordOccurrence() {
    IssueOccurrence occurrence = pendingOccurrence;
    long gen = generation;
    java.util.concurrent.CompletionStage<org.apache.pekko.Done> recorded;
    try {
      recorded =
          sharding
              .entityRefFor(IssueEntity.ENTITY_KEY, occurrence.issueId())
              .askWithStatus(
                  replyTo -> new IssueEntity.RecordOccurrence(occurrence, replyTo),
                  settings.persistTimeout());
    } catch (IllegalStateException issuesNotStarted) {
      recorded = java.util.concurrent.CompletableFuture.failedFuture(issuesNotStarted);
    }
    getContext()
        .pipeToSelf(
            recorded,
            (done, failure) ->
                failure == null
                    ? new IssueRecorded(gen)
                    : new PersistFailed(gen, "occurrence of issue " + occurrence.issueId() + ": " + failure));
  }

  private Behavior<Command> onIssueRecorded(IssueRecorded recorded) {
    if (recorded.generation() != generation || phase != Phase.PERSISTING || pendingOccurrence == null) {
      return this;
    }
    pendingOccurrence = null;
    return afterDecision();
  }

  private Behavior<Command> onPersistFailed(PersistFailed failed) {
    if (failed.generation() != generation || phase != Phase.PERSISTING) {
      return this;
    }
    persistAttempts++;
    stats.persistRetried();
    var delay = settings.persistBackoff(persistAttempts, ThreadLocalRandom.current().nextDouble());
    getContext()
        .getLog()
        .warn(
            "persisting retained trace {} failed (attempt {}): {}; retrying in {} ms",
            traceId,
            persistAttempts,
            failed.cause(),
            delay.toMillis());
    timers.startSingleTimer(Tick.RETRY_PERSIST, Tick.RETRY_PERSIST, delay);
    return this;
  }

  private Behavior<Command> onRetryPersist() {
    if (phase == Phase.PERSISTING) {
      if (pending != null) {
        persist();
      } else {
        recordOccurrence();
      }
    }
    return this;
  }

  private Behavior<Command> afterDecision() {
    if (changedSinceDecision) {
      reopen();
      if (stopping || spans.size() >= settings.maxSpans()) {
        decide();
      }
      return this;
    }
    phase = Phase.DECIDED;
    confirmDelivered();
    if (stopping) {
      return Behaviors.stopped();
    }
    timers.startSingleTimer(Tick.LINGER_ELAPSED, Tick.LINGER_ELAPSED, settings.linger());
    return this;
  }

  private Behavior<Command> onLingerElapsed() {
    if (phase == Phase.DECIDED) {
      shard.tell(new ClusterSharding.Passivate<>(entityRef));
    }
    return this;
  }

  private Behavior<Command> onStop() {
    switch (phase) {
      case DECIDED -> {
        return Behaviors.stopped();
      }
      case COLLECTING -> {
        if (spans.isEmpty()) {
          confirmDelivered();
          return Behaviors.stopped();
        }
        stopping = true;
        decide();
      }
      case SCORING, PERSISTING -> stopping = true;
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus query) {
    query
        .replyTo()
        .tell(new Status(traceId, phase.name(), spans.size(), decisions, retainedBefore));
    return this;
  }
}
