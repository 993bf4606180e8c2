package dev.rootline.actors.issue;

import dev.rootline.actors.feedback.FeedbackLabels;
import dev.rootline.actors.feedback.FeedbackSink;
import dev.rootline.actors.feedback.RoutedFeedback;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
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
 * One issue (persistence id "Issue|issueId", sharded by issue id = the decisions' fingerprint):
 * the first occurrence persists {@link IssueEvent.IssueOpened} and its {@link
 * IssueEvent.OccurrenceRecorded}, each later one an {@code OccurrenceRecorded}, tagged {@link
 * IssueEvent#TAG} for the read side. A trace already recorded among the last {@code
 * dedup-window} occurrences is acknowledged without persisting, so a trace re-decided (late
 * spans) or an occurrence re-sent after a lost acknowledgement counts once. After each persist
 * the issue's summary is published on {@link IssueUpdates} (coalesced to one per {@code
 * publish-interval}).
 */
public final class IssueEntity
    extends EventSourcedBehaviorWithEnforcedReplies<IssueEntity.Command, IssueEvent, IssueState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Issue");

  /** Persistence ids are "Issue|issueId". */
  public static final String PERSISTENCE_TYPE = "Issue";

  public sealed interface Command extends CborSerializable {}

  /** Count this retained trace as an occurrence (acknowledged once persisted, or if counted already). */
  public record RecordOccurrence(IssueOccurrence occurrence, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** The issue as the entity knows it (operators, tests). */
  public record Get(ActorRef<Current> replyTo) implements Command {}

  /**
   * Reply to {@link Get}.
   *
   * @param summary null when no occurrence was recorded under this id
   * @param ranking the issue's ranked root causes, most likely first
   * @param examples recent occurrences' trace ids, newest first
   */
  public record Current(String issueId, IssueSummary summary, List<RootCause> ranking, List<String> examples)
      implements CborSerializable {}

  /**
   * Record an operator's feedback. CONFIRM and REJECT must name a candidate the issue ranked;
   * NAME_CAUSE names any cause; NOISE mutes the issue. A feedback id already recorded is
   * acknowledged again without a second event (a retried POST).
   */
  public record GiveFeedback(IssueFeedback feedback, ActorRef<FeedbackReply> replyTo) implements Command {}

  /** Reply to {@link GiveFeedback}. */
  public sealed interface FeedbackReply extends CborSerializable {}

  /** Recorded (or recorded before under the same id). */
  public record FeedbackAccepted(IssueFeedback feedback, IssueSummary summary) implements FeedbackReply {}

  /**
   * Not recorded, nothing changed.
   *
   * @param unknownIssue true when no occurrence was ever recorded under this id (404), else the
   *     feedback itself is wrong (400)
   */
  public record FeedbackRefused(boolean unknownIssue, String reason) implements FeedbackReply {}

  /** Internal: the sink took a feedback (or failed to; then it is sent again later). */
  private record RouteDone(String feedbackId, Throwable failure) implements Command {}

  /** Timer and recovery: send every feedback not yet routed. */
  private enum RouteUnrouted implements Command {
    INSTANCE
  }

  /** Timer: publish the summary whose publication was coalesced. */
  private enum PublishPending implements Command {
    INSTANCE
  }

  public static void init(
      ActorSystem<?> system, IssueSettings settings, ActorRef<Topic.Command<IssueSummary>> updates) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_KEY,
                context -> create(context.getEntityId(), settings, updates, FeedbackSink.ignoring())));
  }

  /** As above, hosted only on nodes with {@code role} (the others get a proxy). */
  public static void init(
      ActorSystem<?> system,
      IssueSettings settings,
      ActorRef<Topic.Command<IssueSummary>> updates,
      String role) {
    init(system, settings, updates, FeedbackSink.ignoring(), role);
  }

  /**
   * Hosted only on nodes with {@code role}; recorded feedback goes to {@code feedback} (the
   * node's {@link dev.rootline.actors.feedback.FeedbackRouter}).
   */
  public static void init(
      ActorSystem<?> system,
      IssueSettings settings,
      ActorRef<Topic.Command<IssueSummary>> updates,
      FeedbackSink feedback,
      String role) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), settings, updates, feedback))
                .withRole(role));
  }

  public static PersistenceId persistenceId(String issueId) {
    return PersistenceId.of(PERSISTENCE_TYPE, issueId);
  }

  public static Behavior<Command> create(
      String issueId, IssueSettings settings, ActorRef<Topic.Command<IssueSummary>> updates) {
    return create(issueId, settings, updates, FeedbackSink.ignoring());
  }

  public static Behavior<Command> create(
      String issueId,
      IssueSettings settings,
      ActorRef<Topic.Command<IssueSummary>> updates,
      FeedbackSink feedback) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new IssueEntity(issueId, settings, updates, feedback, context, timers)));
  }

  private final String issueId;
  private final IssueSettings settings;
  private final ActorRef<Topic.Command<IssueSummary>> updates;
  private final TimerScheduler<Command> timers;
  private final FeedbackSink feedback;
  private final ActorContext<Command> context;
  // Feedback ids handed to the sink and not answered yet (not state: resent after a restart).
  private final Set<String> routing = new HashSet<>();
  // Not state: after a restart the next occurrence simply publishes at once.
  private long lastPublishedMillis = Long.MIN_VALUE / 2;

  private IssueEntity(
      String issueId,
      IssueSettings settings,
      ActorRef<Topic.Command<IssueSummary>> updates,
      FeedbackSink feedback,
      ActorContext<Command> context,
      TimerScheduler<Command> timers) {
    super(
        persistenceId(issueId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.issueId = issueId;
    this.settings = settings;
    this.updates = updates;
    this.timers = timers;
    this.feedback = feedback;
    this.context = context;
  }

  @Override
  public IssueState emptyState() {
    return IssueState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, IssueEvent, IssueState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RecordOccurrence.class, this::onRecordOccurrence)
        .onCommand(Get.class, this::onGet)
        .onCommand(PublishPending.class, this::onPublishPending)
        .onCommand(GiveFeedback.class, this::onGiveFeedback)
        .onCommand(RouteDone.class, this::onRouteDone)
        .onCommand(RouteUnrouted.class, (state, tick) -> {
          routeUnrouted(state);
          return Effect().noReply();
        })
        .build();
  }

  private ReplyEffect<IssueEvent, IssueState> onGiveFeedback(IssueState state, GiveFeedback command) {
    IssueFeedback f = command.feedback();
    if (state.opened() == null) {
      return Effect().reply(command.replyTo(), new FeedbackRefused(true, "no issue " + issueId));
    }
    IssueFeedback known = f == null || f.feedbackId() == null ? null : state.feedback(f.feedbackId());
    if (known != null) {
      return Effect()
          .reply(command.replyTo(), new FeedbackAccepted(known, state.summary(settings, System.currentTimeMillis())));
    }
    String problem = feedbackProblem(state, f);
    if (problem != null) {
      return Effect().reply(command.replyTo(), new FeedbackRefused(false, problem));
    }
    IssueState after = state.withFeedback(f);
    IssueEvent.FeedbackRecorded event =
        new IssueEvent.FeedbackRecorded(f, after.summary(settings, f.atMillis()), state.status());
    return Effect()
        .persist(event)
        .thenRun(newState -> {
          publish(newState);
          routeUnrouted(newState);
        })
        .thenReply(
            command.replyTo(),
            newState -> new FeedbackAccepted(f, newState.summary(settings, System.currentTimeMillis())));
  }

  /** Why this feedback cannot be recorded on this issue, or null when it can. */
  private String feedbackProblem(IssueState state, IssueFeedback f) {
    if (f == null || f.kind() == null || f.feedbackId() == null || f.feedbackId().isBlank()) {
      return "a feedback has an id and a kind";
    }
    if (f.kind() == IssueFeedback.Kind.NOISE) {
      return null;
    }
    if (f.level() == null || f.subject() == null || f.subject().isBlank()) {
      return "feedback of kind " + f.kind() + " names a candidate: level and subject";
    }
    if (f.kind() != IssueFeedback.Kind.NAME_CAUSE && !state.hasCandidate(f.candidateKey(), settings)) {
      return "unknown candidate " + f.level() + " \"" + f.subject() + "\": not among the root causes ranked for issue "
          + issueId + " (to name a cause that was not listed, use kind name-cause)";
    }
    return null;
  }

  private ReplyEffect<IssueEvent, IssueState> onRouteDone(IssueState state, RouteDone done) {
    routing.remove(done.feedbackId());
    if (done.failure() != null) {
      context.getLog().warn("feedback {} on issue {} not delivered yet, will retry: {}",
          done.feedbackId(), issueId, done.failure().toString());
      if (!timers.isTimerActive(RouteUnrouted.INSTANCE)) {
        timers.startSingleTimer(RouteUnrouted.INSTANCE, RouteUnrouted.INSTANCE, settings.feedbackRetry());
      }
      return Effect().noReply();
    }
    if (!state.unroutedFeedbackIds().contains(done.feedbackId())) {
      return Effect().noReply();
    }
    return Effect().persist(new IssueEvent.FeedbackRouted(issueId, done.feedbackId())).thenNoReply();
  }

  /** Hands every unrouted feedback to the sink once (the answer arrives as {@link RouteDone}). */
  private void routeUnrouted(IssueState state) {
    for (String id : state.unroutedFeedbackIds()) {
      IssueFeedback f = state.feedback(id);
      if (f == null || !routing.add(id)) {
        continue;
      }
      RoutedFeedback routed =
          new RoutedFeedback(
              f,
              state.summary(settings, System.currentTimeMillis()),
              state.ranking(settings),
              FeedbackLabels.of(issueId, f, state.recentRankings(), state.recentTraceIds(), settings.labelsPerFeedback()));
      CompletionStage<Done> sent;
      try {
        sent = feedback.route(routed);
      } catch (RuntimeException e) {
        sent = CompletableFuture.failedFuture(e);
      }
      context.pipeToSelf(sent, (ok, failure) -> new RouteDone(id, failure));
    }
  }

  private ReplyEffect<IssueEvent, IssueState> onRecordOccurrence(IssueState state, RecordOccurrence command) {
    IssueOccurrence o = command.occurrence();
    if (o == null || !issueId.equals(o.issueId())) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(
                  "occurrence of issue " + (o == null ? null : o.issueId()) + " sent to issue " + issueId));
    }
    if (o.traceId() == null || o.traceId().isBlank()) {
      return Effect().reply(command.replyTo(), StatusReply.error("an occurrence names its trace"));
    }
    if (state.hasSeen(o.traceId())) {
      return Effect().reply(command.replyTo(), StatusReply.ack());
    }
    IssueState before = state;
    List<IssueEvent> events = new java.util.ArrayList<>(2);
    if (state.opened() == null) {
      IssueEvent.IssueOpened opened =
          new IssueEvent.IssueOpened(issueId, o.title(), o.kind(), o.service(), o.endpoint(), o.atMillis());
      events.add(opened);
      before = state.withOpened(opened);
    }
    IssueState after = before.withOccurrence(o, settings);
    events.add(new IssueEvent.OccurrenceRecorded(o, after.totals(o, settings)));
    return Effect()
        .persist(events)
        .thenRun(this::publishOrCoalesce)
        .thenReply(command.replyTo(), newState -> StatusReply.ack());
  }

  private ReplyEffect<IssueEvent, IssueState> onGet(IssueState state, Get command) {
    return Effect()
        .reply(
            command.replyTo(),
            new Current(
                issueId,
                state.summary(settings, System.currentTimeMillis()),
                state.ranking(settings),
                state.examples()));
  }

  private ReplyEffect<IssueEvent, IssueState> onPublishPending(IssueState state, PublishPending tick) {
    publish(state);
    return Effect().noReply();
  }

  /** The first occurrence and any after a quiet interval at once; a burst as one later message. */
  private void publishOrCoalesce(IssueState state) {
    long now = System.currentTimeMillis();
    long due = lastPublishedMillis + settings.publishInterval().toMillis();
    if (state.occurrences() == 1 || now >= due) {
      timers.cancel(PublishPending.INSTANCE);
      publish(state);
    } else if (!timers.isTimerActive(PublishPending.INSTANCE)) {
      timers.startSingleTimer(PublishPending.INSTANCE, PublishPending.INSTANCE, Duration.ofMillis(due - now));
    }
  }

  private void publish(IssueState state) {
    long now = System.currentTimeMillis();
    IssueSummary summary = state.summary(settings, now);
    if (summary != null) {
      lastPublishedMillis = now;
      updates.tell(Topic.publish(summary));
    }
  }

  @Override
  public EventHandler<IssueState, IssueEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(IssueEvent.IssueOpened.class, IssueState::withOpened)
        .onEvent(IssueEvent.OccurrenceRecorded.class, (state, e) -> state.withOccurrence(e.occurrence(), settings))
        .onEvent(IssueEvent.FeedbackRecorded.class, (state, e) -> state.withFeedback(e.feedback()))
        .onEvent(IssueEvent.FeedbackRouted.class, (state, e) -> state.withRouted(e.feedbackId()))
        .build();
  }

  // After a restart, feedback recorded but not yet delivered is sent again.
  @Override
  public SignalHandler<IssueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> routeUnrouted(state))
        .build();
  }

  @Override
  public Set<String> tagsFor(IssueEvent event) {
    return Set.of(IssueEvent.TAG);
  }

  // Busy issues have thousands of occurrences: recovery starts from a recent snapshot.
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }
}
