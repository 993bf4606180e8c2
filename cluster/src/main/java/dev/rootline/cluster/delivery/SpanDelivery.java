package dev.rootline.cluster.delivery;

import dev.rootline.actors.trace.DeliveryStats;
import dev.rootline.actors.trace.SpanBatch;
import dev.rootline.persistence.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.delivery.ShardingProducerController;

/**
 * The capture side of reliable span delivery, one per capture node. Spans are grouped per trace
 * until the trace has been quiet locally for {@code batch-quiet-period} (or the batch is old or
 * big), then each {@link SpanBatch} goes through Pekko's {@link ShardingProducerController} to
 * the trace's entity, wherever it lives. The entity confirms a batch only once its trace is
 * decided (and, if retained, persisted); until then the controller keeps it and re-sends it if
 * the entity's node is lost, so the batch reaches the entity's new home.
 *
 * <p>Bounded: open batches hold at most {@code max-buffered-spans} spans and at most {@code
 * max-queued-batches} closed batches wait for demand; what does not fit is shed and counted in
 * {@link DeliveryStats}. The controller's own buffer is never filled (it would fail): batches
 * wait here while the controller may hold half its buffer.
 *
 * <p>Its protocol is local only (spans come from this node's probe): never serialized.
 */
public final class SpanDelivery extends AbstractBehavior<SpanDelivery.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** A span from this node's capture. */
  public record Offer(Span span) implements Command {}

  /**
   * Ships every open batch now and answers once every batch sent so far is confirmed (the node's
   * graceful stop: capture has stopped, in-flight traces must be decided before it leaves).
   */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  /**
   * Tells {@code safe} the {@code round} once every span offered before this mark is safe: its
   * batch confirmed (trace decided and persisted) or shed (lost; waiting would not bring it
   * back). The capture checkpoints its kernel ring there (see bpf/README, "Handover").
   */
  public record Mark(long round, LongConsumer safe) implements Command {}

  /**
   * Tells {@code hold} {@code true} when more than {@code max-unconfirmed-spans} offered spans are
   * neither confirmed nor shed, and {@code false} once they are down to half of that. The capture
   * stops reading its kernel ring meanwhile (the ring is the buffer: bounded, outside the heap),
   * so a catch-up after a takeover, or a trace side that cannot keep up, is not met with a flood
   * of spans. Told the current state at once.
   */
  public record WatchBacklog(Consumer<Boolean> hold) implements Command {}

  private record Next(ShardingProducerController.RequestNext<SpanBatch> next) implements Command {}

  /** One batch confirmed by its entity. */
  private record Confirmed(long[] seqs) implements Command {}

  private enum Internal implements Command {
    FLUSH
  }

  private record PendingMark(long round, long beforeSeq, LongConsumer safe) {}

  /** A closed batch and the offer numbers of its spans. */
  private record Queued(SpanBatch batch, long[] seqs) {}

  public static Behavior<Command> create(
      DeliverySettings settings,
      String producerId,
      ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<SpanBatch>>> region) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(
                      Internal.FLUSH, Internal.FLUSH, settings.flushInterval());
                  return new SpanDelivery(context, settings, producerId, region);
                }));
  }

  /** Settings of Pekko's controller derived from ours (and the system's pekko.* defaults). */
  static ShardingProducerController.Settings controllerSettings(
      ActorContext<?> context, DeliverySettings settings) {
    ShardingProducerController.Settings defaults =
        ShardingProducerController.Settings$.MODULE$.create(context.getSystem());
    return defaults
        .withProducerControllerSettings(
            defaults
                .producerControllerSettings()
                .withDurableQueueResendFirstInterval(settings.resendFirstInterval()))
        .withBufferSize(settings.producerBufferSize())
        .withResendFirstUnconfirmedIdleTimeout(settings.resendFirstUnconfirmedIdleTimeout())
        .withCleanupUnusedAfter(settings.cleanupUnusedAfter());
  }

  private static final class OpenBatch {
    final List<Span> spans = new ArrayList<>();
    final List<Long> seqs = new ArrayList<>();
    final long firstNanos;
    long lastNanos;

    OpenBatch(long now) {
      firstNanos = now;
      lastNanos = now;
    }
  }

  private final DeliverySettings settings;
  private final DeliveryStats stats;
  private final Map<String, OpenBatch> open = new LinkedHashMap<>();
  private final ArrayDeque<Queued> queued = new ArrayDeque<>();
  /** Offer numbers of spans offered and not yet confirmed or shed. */
  private final TreeSet<Long> unsafe = new TreeSet<>();
  private final ArrayDeque<PendingMark> marks = new ArrayDeque<>();
  private long offers;
  private final List<Consumer<Boolean>> backlogWatchers = new ArrayList<>();
  private boolean holding;
  private long holdingSinceNanos;
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private ShardingProducerController.RequestNext<SpanBatch> demand;
  private int bufferedSpans;
  private long unconfirmed;
  // Batches the controller may hold for entities without demand (an upper estimate).
  private int controllerBuffered;

  private SpanDelivery(
      ActorContext<Command> context,
      DeliverySettings settings,
      String producerId,
      ActorRef<ShardingEnvelope<ConsumerController.SequencedMessage<SpanBatch>>> region) {
    super(context);
    this.settings = settings;
    this.stats = DeliveryStats.get(context.getSystem());
    ActorRef<ShardingProducerController.Command<SpanBatch>> controller =
        context.spawn(
            ShardingProducerController.create(
                SpanBatch.class,
                producerId,
                region,
                Optional.empty(),
                controllerSettings(context, settings)),
            "producer-controller");
    @SuppressWarnings({"unchecked", "rawtypes"})
    ActorRef<ShardingProducerController.RequestNext<SpanBatch>> requestNext =
        context.messageAdapter(
            (Class) ShardingProducerController.requestNextClass(),
            next -> new Next((ShardingProducerController.RequestNext<SpanBatch>) next));
    controller.tell(new ShardingProducerController.Start<>(requestNext));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Offer.class, this::onOffer)
        .onMessage(Next.class, this::onNext)
        .onMessageEquals(Internal.FLUSH, this::onFlush)
        .onMessage(Confirmed.class, this::onConfirmed)
        .onMessage(Mark.class, this::onMark)
        .onMessage(Drain.class, this::onDrain)
        .onMessage(WatchBacklog.class, this::onWatchBacklog)
        .build();
  }

  private Behavior<Command> onOffer(Offer offer) {
    Span span = offer.span();
    stats.spanOffered();
    if (span == null || span.traceId() == null) {
      stats.spansShed(1);
      return this;
    }
    if (bufferedSpans >= settings.maxBufferedSpans()) {
      stats.spansShed(1);
      return this;
    }
    long now = System.nanoTime();
    OpenBatch batch = open.computeIfAbsent(span.traceId(), id -> new OpenBatch(now));
    long seq = ++offers;
    unsafe.add(seq);
    batch.spans.add(span);
    batch.seqs.add(seq);
    batch.lastNanos = now;
    bufferedSpans++;
    if (!holding && unsafe.size() > settings.maxUnconfirmedSpans()) {
      hold(true);
    }
    if (batch.spans.size() >= settings.batchMaxSpans()) {
      close(span.traceId(), open.remove(span.traceId()));
      send();
    }
    return this;
  }

  private Behavior<Command> onFlush() {
    long now = System.nanoTime();
    long quiet = settings.batchQuietPeriod().toNanos();
    long maxAge = settings.batchMaxAge().toNanos();
    boolean draining = !drainWaiters.isEmpty();
    for (Iterator<Map.Entry<String, OpenBatch>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, OpenBatch> e = it.next();
      OpenBatch b = e.getValue();
      if (draining || now - b.lastNanos >= quiet || now - b.firstNanos >= maxAge) {
        it.remove();
        close(e.getKey(), b);
      }
    }
    send();
    stats.producerGauges(bufferedSpans, queued.size(), unconfirmed, unsafe.size());
    answerDrainedWaiters();
    return this;
  }

  private void close(String traceId, OpenBatch batch) {
    bufferedSpans -= batch.spans.size();
    long[] seqs = batch.seqs.stream().mapToLong(Long::longValue).toArray();
    if (queued.size() >= settings.maxQueuedBatches()) {
      stats.spansShed(batch.spans.size());
      safe(seqs);
      return;
    }
    queued.add(new Queued(new SpanBatch(traceId, batch.spans), seqs));
  }

  private Behavior<Command> onMark(Mark mark) {
    marks.add(new PendingMark(mark.round(), offers + 1, mark.safe()));
    answerMarks();
    return this;
  }

  /** These spans are confirmed or shed: marks before which nothing unsafe is left are answered. */
  private void safe(long[] seqs) {
    for (long seq : seqs) {
      unsafe.remove(seq);
    }
    if (holding && unsafe.size() <= settings.maxUnconfirmedSpans() / 2) {
      hold(false);
    }
    answerMarks();
  }

  private Behavior<Command> onWatchBacklog(WatchBacklog watch) {
    backlogWatchers.add(watch.hold());
    watch.hold().accept(holding);
    return this;
  }

  private void hold(boolean on) {
    holding = on;
    if (on) {
      holdingSinceNanos = System.nanoTime();
      stats.captureHeld();
      getContext().getLog().info(
          "{} spans wait for their traces to be decided (max-unconfirmed-spans {}): capture "
              + "reading held, the kernel ring buffers meanwhile",
          unsafe.size(), settings.maxUnconfirmedSpans());
    } else {
      getContext().getLog().info(
          "capture reading resumed after {} ms ({} spans unconfirmed)",
          (System.nanoTime() - holdingSinceNanos) / 1_000_000, unsafe.size());
    }
    backlogWatchers.forEach(w -> w.accept(on));
  }

  private void answerMarks() {
    PendingMark last = null;
    while (!marks.isEmpty() && (unsafe.isEmpty() || unsafe.first() >= marks.peekFirst().beforeSeq())) {
      last = marks.pollFirst();
    }
    if (last != null) {
      last.safe().accept(last.round());
    }
  }

  private Behavior<Command> onNext(Next next) {
    demand = next.next();
    int buffered = 0;
    for (int n : demand.getBufferedForEntitiesWithoutDemand().values()) {
      buffered += n;
    }
    controllerBuffered = buffered;
    send();
    return this;
  }

  /**
   * Sends queued batches while the controller's buffer has room. The controller takes messages
   * without a RequestNext (it buffers those for entities without demand, and the first message
   * to a new entity always goes out at once), but it fails when its buffer overflows. Every batch
   * sent counts as buffered until the next RequestNext reports the real figure; that report may
   * miss batches still on their way to the controller, hence the half-buffer bound.
   */
  private void send() {
    if (demand == null) {
      return;
    }
    int bound = Math.max(1, settings.producerBufferSize() / 2 - 1);
    while (!queued.isEmpty() && controllerBuffered < bound) {
      Queued q = queued.poll();
      SpanBatch head = q.batch();
      demand
          .askNextTo()
          .tell(
              new ShardingProducerController.MessageWithConfirmation<>(
                  head.traceId(), head, confirmationOf(q.seqs())));
      controllerBuffered++;
      unconfirmed++;
      stats.batchSent(head.spans().size());
    }
  }

  /** The controller's confirmation of one batch, as a {@link Confirmed} naming its spans. */
  private ActorRef<Done> confirmationOf(long[] seqs) {
    ActorRef<Command> self = getContext().getSelf();
    return getContext()
        .spawnAnonymous(
            Behaviors.receive(Done.class)
                .onAnyMessage(
                    done -> {
                      self.tell(new Confirmed(seqs));
                      return Behaviors.stopped();
                    })
                .build());
  }

  private Behavior<Command> onConfirmed(Confirmed confirmed) {
    safe(confirmed.seqs());
    unconfirmed--;
    stats.batchConfirmedToProducer();
    answerDrainedWaiters();
    return this;
  }

  private Behavior<Command> onDrain(Drain drain) {
    drainWaiters.add(drain.replyTo());
    onFlush();
    return this;
  }

  private void answerDrainedWaiters() {
    if (!drainWaiters.isEmpty() && open.isEmpty() && queued.isEmpty() && unconfirmed <= 0) {
      drainWaiters.forEach(w -> w.tell(Done.getInstance()));
      drainWaiters.clear();
    }
  }
}
