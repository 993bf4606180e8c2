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

  public static Behavior<Command> create(
      CaptureAssemblySettings settings, EventSource source, Consumer<Span> spans) {
    return start(settings, CapturePolicySettings.DEFAULT, source, null, spans, link -> {}, null);
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
    if (control == null) {
      throw new IllegalArgumentException("control is required (the other create methods go without)");
    }
    return start(settings, policySettings, source, control, spans, links, null);
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
    return start(settings, CapturePolicySettings.DEFAULT, source, null, spans, links, null);
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
        settings, CapturePolicySettings.DEFAULT, source, null, spans, link -> {}, nowEpochNanos);
  }

  private static Behavior<Command> start(
      CaptureAssemblySettings settings,
      CapturePolicySettings policySettings,
      EventSource source,
      CaptureControl control,
      Consumer<Span> spans,
      Consumer<ConnectionLink> links,
      LongSupplier nowEpochNanos) {
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
                          ctx, settings, policySettings, source, control, spans, links, nowEpochNanos)
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
      LongSupplier nowEpochNanos) {
    this.context = context;
    context.setLoggerName(ProbeActor.class);
    this.source = source;
    this.nowEpochNanos = nowEpochNanos;
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
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onPoll(Poll poll) {
    for (int round = 0; round < MAX_POLLS_PER_TICK; round++) {
      batch.clear();
      try {
        source.poll(batch::add);
      } catch (RuntimeException e) {
        pollFailures++;
        if (Long.bitCount(pollFailures) == 1) { // 1st, 2nd, 4th, 8th...: visible, not a flood
          context.getLog().warn("Polling capture events failed ({} so far)", pollFailures, e);
        }
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
      assembler.acceptBatch(batch);
    }
    batch.clear();
    return Behaviors.same();
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
