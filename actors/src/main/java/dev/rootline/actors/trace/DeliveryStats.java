package dev.rootline.actors.trace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * This node's counters of reliable span delivery: the capture side (spans batched, shed, batches
 * sent and confirmed) and the trace side (batches received, confirmed, re-delivered). Thread-safe;
 * {@link #snapshot()} is what {@code GET /api/v1/stats} shows under {@code delivery}.
 */
public final class DeliveryStats implements Extension {

  public static final ExtensionId<DeliveryStats> ID = new Id();

  // capture side
  private final LongAdder spansOffered = new LongAdder();
  private final LongAdder spansShed = new LongAdder();
  private final LongAdder batchesSent = new LongAdder();
  private final LongAdder spansSent = new LongAdder();
  private final LongAdder batchesConfirmedToProducer = new LongAdder();
  private final AtomicLong spansBuffered = new AtomicLong();
  private final AtomicLong batchesQueued = new AtomicLong();
  private final AtomicLong batchesUnconfirmed = new AtomicLong();
  private final AtomicLong spansUnconfirmed = new AtomicLong();
  private final LongAdder captureHolds = new LongAdder();
  // trace side
  private final LongAdder batchesReceived = new LongAdder();
  private final LongAdder spansReceivedInBatches = new LongAdder();
  private final LongAdder batchesConfirmed = new LongAdder();
  private final LongAdder batchesRedelivered = new LongAdder();
  private final LongAdder spansRedelivered = new LongAdder();
  private final LongAdder batchesAlreadyHeld = new LongAdder();

  public static DeliveryStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void spanOffered() {
    spansOffered.increment();
  }

  /** A span the capture side could not keep (its bounded buffers were full). */
  public void spansShed(int n) {
    spansShed.add(n);
  }

  public void batchSent(int spans) {
    batchesSent.increment();
    spansSent.add(spans);
  }

  public void batchConfirmedToProducer() {
    batchesConfirmedToProducer.increment();
  }

  /** Gauges of the capture side, set by its single actor. */
  public void producerGauges(long buffered, long queued, long unconfirmed, long unconfirmedSpans) {
    spansBuffered.set(buffered);
    batchesQueued.set(queued);
    batchesUnconfirmed.set(unconfirmed);
    spansUnconfirmed.set(unconfirmedSpans);
  }

  /** The capture was told to stop reading its ring: too many spans wait for confirmation. */
  public void captureHeld() {
    captureHolds.increment();
  }

  public void batchReceived(int spans) {
    batchesReceived.increment();
    spansReceivedInBatches.add(spans);
  }

  public void batchConfirmed() {
    batchesConfirmed.increment();
  }

  /**
   * A batch that reached a fresh incarnation of its trace entity in the middle of its producer's
   * sequence: re-sent after a trace node was lost or a shard moved (or, rarely, after passivation).
   */
  public void batchRedelivered(int spans) {
    batchesRedelivered.increment();
    spansRedelivered.add(spans);
  }

  /** A batch whose every span this entity already held: the same batch delivered again. */
  public void batchAlreadyHeld() {
    batchesAlreadyHeld.increment();
  }

  public long spansShed() {
    return spansShed.sum();
  }

  public long spansRedelivered() {
    return spansRedelivered.sum();
  }

  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spansOffered", spansOffered.sum());
    out.put("spansShed", spansShed.sum());
    out.put("batchesSent", batchesSent.sum());
    out.put("spansSent", spansSent.sum());
    out.put("batchesConfirmedToProducer", batchesConfirmedToProducer.sum());
    out.put("spansBuffered", spansBuffered.get());
    out.put("batchesQueued", batchesQueued.get());
    out.put("batchesUnconfirmed", batchesUnconfirmed.get());
    out.put("spansUnconfirmed", spansUnconfirmed.get());
    out.put("captureHolds", captureHolds.sum());
    out.put("batchesReceived", batchesReceived.sum());
    out.put("spansReceived", spansReceivedInBatches.sum());
    out.put("batchesConfirmed", batchesConfirmed.sum());
    out.put("batchesRedelivered", batchesRedelivered.sum());
    out.put("spansRedelivered", spansRedelivered.sum());
    out.put("batchesAlreadyHeld", batchesAlreadyHeld.sum());
    return out;
  }

  private static final class Id extends ExtensionId<DeliveryStats> {
    @Override
    public DeliveryStats createExtension(ActorSystem<?> system) {
      return new DeliveryStats();
    }
  }
}
