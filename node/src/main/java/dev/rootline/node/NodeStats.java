package dev.rootline.node;

import dev.rootline.actors.capture.CaptureCounters;
import dev.rootline.actors.capture.CapturePolicyState;
import dev.rootline.actors.capture.MaskingCounters;
import dev.rootline.actors.capture.ProbeActor;
import dev.rootline.actors.trace.DeliveryStats;
import dev.rootline.actors.trace.PipelineStats;
import dev.rootline.api.StatsSource;
import dev.rootline.bpf.CaptureSession;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What {@code GET /api/v1/stats} shows: the kernel capture's counters, span assembly's counters
 * and the decision pipeline's counters. Assembly counters live in the probe actor; they are
 * fetched every second so the API never waits on an actor.
 */
final class NodeStats implements StatsSource, AutoCloseable {
  private static final Duration REFRESH = Duration.ofSeconds(1);

  private final ActorSystem<?> system;
  private final CaptureSession capture;
  private final List<String> roles;
  private final AtomicReference<CaptureCounters> assembly = new AtomicReference<>();
  private final AtomicReference<CapturePolicyState> policy = new AtomicReference<>();
  private final AtomicReference<MaskingCounters> masking = new AtomicReference<>();
  private volatile Cancellable refresh;

  private NodeStats(ActorSystem<?> system, CaptureSession capture, List<String> roles) {
    this.system = system;
    this.capture = capture;
    this.roles = List.copyOf(roles);
  }

  static NodeStats start(
      ActorSystem<?> system, CaptureSession capture, ActorRef<ProbeActor.Command> probe) {
    return start(system, capture, probe, List.of());
  }

  static NodeStats start(
      ActorSystem<?> system,
      CaptureSession capture,
      ActorRef<ProbeActor.Command> probe,
      List<String> roles) {
    NodeStats stats = new NodeStats(system, capture, roles);
    if (probe != null) {
      stats.refresh =
          system
              .scheduler()
              .scheduleWithFixedDelay(
                  REFRESH,
                  REFRESH,
                  () ->
                      AskPattern.<ProbeActor.Command, CaptureCounters>ask(
                              probe, ProbeActor.GetCounters::new, REFRESH, system.scheduler())
                          .thenAccept(stats.assembly::set)
                          .thenCompose(
                              done ->
                                  AskPattern.<ProbeActor.Command, CapturePolicyState>ask(
                                      probe, ProbeActor.GetPolicyState::new, REFRESH, system.scheduler()))
                          .thenAccept(stats.policy::set)
                          .thenCompose(
                              done ->
                                  AskPattern.<ProbeActor.Command, MaskingCounters>ask(
                                      probe, ProbeActor.GetMaskingCounters::new, REFRESH, system.scheduler()))
                          .thenAccept(stats.masking::set),
                  system.executionContext());
    }
    return stats;
  }

  /** Stops fetching the probe's counters (before the probe stops). */
  @Override
  public void close() {
    Cancellable r = refresh;
    if (r != null) {
      r.cancel();
    }
  }

  @Override
  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    if (capture != null) {
      Map<String, Object> kernel = fields(capture.counters());
      // Whether the capture outlives a restart of this node, and what it found at start.
      Map<String, Object> handover = fields(capture.handover());
      handover.put("pinDir", String.valueOf(capture.handover().pinDir()));
      handover.put("selfSkipped", capture.selfSkipped());
      kernel.put("handover", handover);
      out.put("capture", kernel);
    } else {
      out.put("capture", Map.of("enabled", false));
    }
    CaptureCounters a = assembly.get();
    if (a != null) {
      out.put("assembly", fields(a));
    }
    CapturePolicyState p = policy.get();
    if (p != null) {
      // What the capture enforces now: switches read back from the kernel, policed processes.
      Map<String, Object> enforced = fields(p);
      enforced.put("counters", fields(p.counters()));
      enforced.put("processes", p.processes().stream().map(NodeStats::fields).toList());
      out.put("capturePolicy", enforced);
    }
    MaskingCounters m = masking.get();
    if (m != null) {
      // PII values masked in the capture, per rule name (every rule listed).
      out.put("masking", m.byRule());
    }
    out.put("pipeline", PipelineStats.get(system).snapshot());
    // Reliable span delivery: shed spans (capture side) and re-delivered batches (trace side).
    out.put("delivery", DeliveryStats.get(system).snapshot());
    out.put("roles", roles);
    return out;
  }

  /** A counters record as a JSON-ready map, in declaration order. */
  private static Map<String, Object> fields(Record counters) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : counters.getClass().getRecordComponents()) {
      try {
        out.put(c.getName(), c.getAccessor().invoke(counters));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName(), e);
      }
    }
    return out;
  }
}
