package dev.rootline.actors.capture;

import dev.rootline.actors.stitch.ConnectionLink;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Drives one host's capture: every {@code poll-interval} it drains the {@link EventSource}, feeds
 * the {@link SpanAssembler} and hands each finished span to the consumer given to {@link
 * #create}. Polling and parsing block a thread, so spawn it on its own dispatcher: {@link
 * #DISPATCHER}. The source is closed when the actor stops.
 *
 * <p>Capture policies reach it as {@link ApplyPolicies} and are enforced by a {@link
 * CapturePolicyEnforcer}: in the kernel through the {@link CaptureControl} given to {@link
 * #create(CaptureAssemblySettings, CapturePolicySettings, EventSource, CaptureControl, Consumer,
 * Consumer)}, and by dropping spans of endpoints (and services) whose capture is off.
 */
public final class ProbeActor {

  public sealed interface Command extends CborSerializable {}

  /** Internal: the poll timer fired. */
  public record Poll() implements Command {}

  /** Replies with the assembler's counters. */
  public record GetCounters(ActorRef<CaptureCounters> replyTo) implements Command {}

  /** Replies with what PII masking did so far (values masked per rule). */
  public record GetMaskingCounters(ActorRef<MaskingCounters> replyTo) implements Command {}

  /**
   * Puts these capture policies in force, live (local message: the node's policy follower sends
   * every new set). Merged scope by scope with the set in force, the higher revision winning, so
   * sets may arrive twice or out of order; only what changed is written to the kernel.
   */
  public record ApplyPolicies(PolicySet policies) implements Command {}

  /** Replies with the capture policies in force and the enforcement counters. */
  public record GetPolicyState(ActorRef<CapturePolicyState> replyTo) implements Command {}

  /**
   * From the consumer of the spans: every span handed over before round {@code round} ended is
   * safe (see {@link RoundListener}); the source may checkpoint there.
   */
  public record SpansSafe(long round) implements Command {}

  /**
   * Told at the end of each polling round that changed something, after that round's spans:
   * answer {@link SpansSafe} with the round once those spans (and all before) are safe. Without
   * one, spans count as safe once handed over.
   */
  @FunctionalInterface
  public interface RoundListener {
    void roundEnded(long round, ActorRef<Command> probe);
  }

  /**
   * From the consumer of the spans: stop reading the source while {@code on} (too many spans wait
   * for it; the source buffers meanwhile), read on when told {@code false}.
   */
  public record Hold(boolean on) implements Command {}

  /**
   * Stop polling (a node's graceful stop, before its span delivery drains): replies once no poll
   * runs any more. {@link SpansSafe} is still taken, so the last checkpoint covers everything the
   * drain delivered; stop the actor afterwards.
   */
  public record Quiesce(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** Internal: time to forget processes that are gone. */
  private record CheckProcesses() implements Command {}

  /** Spawn the probe with this: {@code ctx.spawn(ProbeActor.create(...), "probe", DISPATCHER)}. */
  public static final DispatcherSelector DISPATCHER =
      DispatcherSelector.fromConfig(CaptureAssemblySettings.DISPATCHER_PATH);

  /** Polls at most this many times per tick while the source keeps returning events. */
  private static final int MAX_POLLS_PER_TICK = 8;

  private final ActorContext<Command> context;
  private final EventSource source;
  private final SpanAssembler assembler;
  private final CapturePolicyEnforcer policy;
  /** Given by tests; null means {@link #eventClock}. */
  private final LongSupplier nowEpochNanos;
  private final EventClock eventClock = new EventClock(System::nanoTime);
  private final List<CaptureEvent> batch = new ArrayList<>();
  private long pollFailures;
  private long sinkFailures;
  /** Handover: replayed events are being fed; what they complete was sent by the predecessor. */
  private boolean suppressing;
  /** Handover: the predecessor's event clock, until the replay is over. */
  private long replayClockNanos;
  private boolean replayPending;
  private long replayedEvents;
  private long suppressedSpans;
  private long suppressedLinks;
  private boolean quiesced;
  private boolean held;
  /** Null: spans are safe once handed over. */
  private final RoundListener rounds;
  /** Rounds told to {@link #rounds}, not yet reported safe: where the source was then. */
  private final java.util.ArrayDeque<Round> unsafeRounds = new java.util.ArrayDeque<>();
  private long round;
  private long lastPosition = -1;
  private long lastClock = Long.MIN_VALUE;

  private record Round(long round, long position, long clockNanos) {}

  /** Rounds waiting for {@link SpansSafe} at most; past this every other one is forgotten. */
  private static final int MAX_UNSAFE_ROUNDS = 4096;

  public static Behavior<Command> create(
      CaptureAssemblySettings settings, EventSource source, Consumer<Span> spans) {
    return start(settings, CapturePolicySettings.DEFAULT, source, null, spans, link -> {}, null, null);
  }

  /**
   * With the kernel capture's switches, so capture policies are enforced in the kernel too: the
   * node passes {@code CaptureControl.of(session)} for the session whose {@code poll} is the
   * source. {@code links} as in {@link #create(CaptureAssemblySettings, EventSource, Consumer,
   * Consumer)}.
   */
  public static Behavior<Command> create(
      CaptureAssemblySettings settings,
      CapturePolicySettings policySettings,
      EventSource source,
      CaptureControl control,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links) {
    return create(settings, policySettings, source, control, spans, links, null);
  }

  /**
   * As above, and the source checkpoints only what {@code rounds}' owner reports safe: a span
   * handed over but lost with this process (not yet delivered) is sent again by the next one.
   */
  public static Behavior<Command> create(
      CaptureAssemblySettings settings,
      CapturePolicySettings policySettings,
      EventSource source,
      CaptureControl control,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links,
      RoundListener rounds) {
    if (control == null) {
      throw new IllegalArgumentException("control is required (the other create methods go without)");
    }
    return start(settings, policySettings, source, control, spans, links, null, rounds);
  }

  /**
   * Also hands each {@link ConnectionLink} (a request whose other end may be captured on another
   * host) to {@code links}: cross-host stitching, see {@code dev.rootline.actors.stitch}.
   */
  public static Behavior<Command> create(
      CaptureAssemblySettings settings,
      EventSource source,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links) {
    return start(settings, CapturePolicySettings.DEFAULT, source, null, spans, links, null, null);
  }

  /**
   * With a given event-time clock for time-driven work (grace, timeouts) when the source is idle.
   * It must tell the time the way the events do; by default (the other {@code create}) that time
   * is taken from the events themselves, never from the wall clock (see {@link EventClock}).
   */
  public static Behavior<Command> create(
      CaptureAssemblySettings settings,
      EventSource source,
      Consumer<Span> spans,
      LongSupplier nowEpochNanos) {
    if (nowEpochNanos == null) {
      throw new IllegalArgumentException("nowEpochNanos is required");
    }
    return start(
        settings, CapturePolicySettings.DEFAULT, source, null, spans, link -> {}, nowEpochNanos, null);
  }

  private static Behavior<Command> start(
      CaptureAssemblySettings settings,
      CapturePolicySettings policySettings,
      EventSource source,
      CaptureControl control,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links,
      LongSupplier nowEpochNanos,
      RoundListener rounds) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Poll.class, new Poll(), settings.pollInterval());
                  timers.startTimerWithFixedDelay(
                      CheckProcesses.class,
                      new CheckProcesses(),
                      policySettings.deadPidCheckInterval());
                  return new ProbeActor(
                          ctx, settings, policySettings, source, control, spans, links, nowEpochNanos, rounds)
                      .behavior();
                }));
  }

  private ProbeActor(
      ActorContext<Command> context,
      CaptureAssemblySettings settings,
      CapturePolicySettings policySettings,
      EventSource source,
      CaptureControl control,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links,
      LongSupplier nowEpochNanos,
      RoundListener rounds) {
    this.context = context;
    this.rounds = rounds;
    context.setLoggerName(ProbeActor.class);
    this.source = source;
    this.nowEpochNanos = nowEpochNanos;
    this.replayClockNanos = source.replayClockNanos();
    this.replayPending = replayClockNanos != Long.MIN_VALUE;
    // A node that names hosts by network namespace captures them all: processes of policed
    // services are looked for in every namespace, else in this node's own (its host's) only.
    this.policy =
        new CapturePolicyEnforcer(
            control,
            settings.host(),
            settings.hostNames(),
            ListeningProcesses.create(policySettings, settings.hostFromNetworkNamespace()));
    this.assembler = new SpanAssembler(settings, span -> deliver(spans, span));
    assembler.publishLinksTo(link -> publish(links, link));
    // PII masking by the rules of each span's scope, before the span or its link leaves.
    assembler.maskWith(policy::maskingRules);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Poll.class, this::onPoll)
        .onMessage(GetCounters.class, this::onGetCounters)
        .onMessage(GetMaskingCounters.class, this::onGetMaskingCounters)
        .onMessage(ApplyPolicies.class, this::onApplyPolicies)
        .onMessage(GetPolicyState.class, this::onGetPolicyState)
        .onMessage(CheckProcesses.class, this::onCheckProcesses)
        .onMessage(SpansSafe.class, this::onSpansSafe)
        .onMessage(Quiesce.class, this::onQuiesce)
        .onMessage(Hold.class, this::onHold)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onPoll(Poll poll) {
    if (quiesced || held) {
      // Held: event time stays where the unread events are (no idle tick either).
      return Behaviors.same();
    }
    for (int attempt = 0; attempt < MAX_POLLS_PER_TICK; attempt++) {
      batch.clear();
      boolean replayed = false;
      try {
        source.poll(batch::add);
        replayed = source.lastPollReplayed();
      } catch (RuntimeException e) {
        pollFailures++;
        if (Long.bitCount(pollFailures) == 1) { // 1st, 2nd, 4th, 8th...: visible, not a flood
          context.getLog().warn("Polling capture events failed ({} so far)", pollFailures, e);
        }
      }
      if (replayPending && !replayed) {
        endReplay();
      }
      if (batch.isEmpty()) {
        // Drained: event time may advance to now (nothing older is pending).
        if (nowEpochNanos != null) {
          assembler.tick(nowEpochNanos.getAsLong());
        } else if (eventClock.started()) {
          assembler.tick(eventClock.nowEpochNanos());
        }
        break;
      }
      for (CaptureEvent e : batch) {
        if (e != null) {
          eventClock.observed(e.endEpochNanos());
        }
      }
      suppressing = replayed;
      if (replayed) {
        replayedEvents += batch.size();
      }
      try {
        assembler.acceptBatch(batch);
      } finally {
        suppressing = false;
      }
    }
    batch.clear();
    if (!replayPending) {
      endRound();
    }
    return Behaviors.same();
  }

  /**
   * Where the source is now and what the assembler's clock says: a checkpoint once this round's
   * spans are safe (at once without a {@link RoundListener}).
   */
  private void endRound() {
    long position;
    try {
      position = source.position();
    } catch (RuntimeException e) { // the session closed under us
      pollFailures++;
      return;
    }
    long clock = assembler.clockNanos();
    if (position < 0 || (position == lastPosition && clock == lastClock)) {
      return;
    }
    lastPosition = position;
    lastClock = clock;
    if (rounds == null) {
      checkpoint(position, clock);
      return;
    }
    round++;
    if (unsafeRounds.size() >= MAX_UNSAFE_ROUNDS) {
      // Forgetting a round only makes a later checkpoint more cautious, never wrong.
      java.util.ArrayDeque<Round> kept = new java.util.ArrayDeque<>();
      boolean keep = false;
      for (Round r : unsafeRounds) {
        if (keep) {
          kept.add(r);
        }
        keep = !keep;
      }
      unsafeRounds.clear();
      unsafeRounds.addAll(kept);
    }
    unsafeRounds.add(new Round(round, position, clock));
    rounds.roundEnded(round, context.getSelf());
  }

  private Behavior<Command> onQuiesce(Quiesce quiesce) {
    quiesced = true;
    quiesce.replyTo().tell(org.apache.pekko.Done.getInstance());
    return Behaviors.same();
  }

  private Behavior<Command> onHold(Hold hold) {
    held = hold.on();
    return Behaviors.same();
  }

  private Behavior<Command> onSpansSafe(SpansSafe safe) {
    Round last = null;
    while (!unsafeRounds.isEmpty() && unsafeRounds.peekFirst().round() <= safe.round()) {
      last = unsafeRounds.pollFirst();
    }
    if (last != null) {
      checkpoint(last.position(), last.clockNanos());
    }
    return Behaviors.same();
  }

  private void checkpoint(long position, long clock) {
    try {
      source.checkpoint(position, clock);
    } catch (RuntimeException e) { // the session closed under us
      pollFailures++;
    }
  }

  /**
   * The replay after a handover is over: event time catches up with the predecessor's (what its
   * grace periods and timeouts sent then is not sent again), then everything goes out as usual.
   */
  private void endReplay() {
    replayPending = false;
    suppressing = true;
    try {
      if (replayClockNanos > assembler.clockNanos()) {
        assembler.tick(replayClockNanos);
      }
    } finally {
      suppressing = false;
    }
    context.getLog()
        .info(
            "Capture handover: replayed {} events the previous node had read, to rebuild the requests it left open;"
                + " {} spans and {} links it had sent were not sent again",
            replayedEvents,
            suppressedSpans,
            suppressedLinks);
  }

  private Behavior<Command> onGetCounters(GetCounters command) {
    command.replyTo().tell(assembler.counters());
    return Behaviors.same();
  }

  private Behavior<Command> onGetMaskingCounters(GetMaskingCounters command) {
    command.replyTo().tell(assembler.maskingCounters());
    return Behaviors.same();
  }

  private Behavior<Command> onApplyPolicies(ApplyPolicies command) {
    if (command.policies() == null) {
      context.getLog().warn("ApplyPolicies without policies ignored");
      return Behaviors.same();
    }
    policy.apply(command.policies());
    return Behaviors.same();
  }

  private Behavior<Command> onGetPolicyState(GetPolicyState command) {
    CapturePolicyState state;
    try {
      state = policy.state();
    } catch (RuntimeException e) { // the session closed under us: say so, do not stop
      context.getLog().warn("Reading the capture policy state failed", e);
      return Behaviors.same();
    }
    command.replyTo().tell(state);
    return Behaviors.same();
  }

  private Behavior<Command> onCheckProcesses(CheckProcesses command) {
    policy.checkProcesses();
    return Behaviors.same();
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    try {
      source.close();
    } catch (Exception e) {
      context.getLog().warn("Closing the capture event source failed", e);
    }
    return Behaviors.same();
  }

  private void publish(Consumer<ConnectionLink> links, ConnectionLink link) {
    if (suppressing) {
      suppressedLinks++;
      return;
    }
    try {
      links.accept(link);
    } catch (RuntimeException e) {
      sinkFailures++;
      if (Long.bitCount(sinkFailures) == 1) {
        context.getLog().warn("Link consumer failed ({} so far)", sinkFailures, e);
      }
    }
  }

  private void deliver(Consumer<Span> spans, Span span) {
    if (suppressing) {
      suppressedSpans++;
      return;
    }
    if (!policy.admit(span)) {
      return;
    }
    try {
      spans.accept(span);
    } catch (RuntimeException e) {
      sinkFailures++;
      if (Long.bitCount(sinkFailures) == 1) {
        context.getLog()
            .warn("Span consumer failed ({} so far); span {} lost", sinkFailures, span.spanId(), e);
      }
    }
  }
}
