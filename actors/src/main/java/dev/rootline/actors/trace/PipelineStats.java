package dev.rootline.actors.trace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * This node's counters of the tail-based decision: the ~95% of traces that are not retained exist
 * only here. Thread-safe (every trace entity on the node writes to it); {@link #snapshot()} is
 * what the API shows. Per-endpoint keys are capped; the rest are summed under {@link #OTHER}.
 */
public final class PipelineStats implements Extension {

  /** Endpoint key that collects the counts of endpoints beyond the cap. */
  public static final String OTHER = "(other)";

  public static final ExtensionId<PipelineStats> ID = new Id();

  private final int maxEndpoints;
  private final LongAdder spansReceived = new LongAdder();
  private final LongAdder spansDropped = new LongAdder();
  private final LongAdder tracesDecided = new LongAdder();
  private final LongAdder redecisions = new LongAdder();
  private final LongAdder retained = new LongAdder();
  private final LongAdder counted = new LongAdder();
  private final LongAdder persisted = new LongAdder();
  private final LongAdder persistRetries = new LongAdder();
  private final LongAdder scorerTimeouts = new LongAdder();
  private final ConcurrentHashMap<String, EndpointCounts> endpoints = new ConcurrentHashMap<>();

  public PipelineStats(int maxEndpoints) {
    this.maxEndpoints = maxEndpoints;
  }

  public static PipelineStats get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void spanReceived() {
    spansReceived.increment();
  }

  /** A span beyond max-spans of its trace: not kept. */
  public void spanDropped() {
    spansDropped.increment();
  }

  /** A trace got its first decision. */
  public void traceDecided() {
    tracesDecided.increment();
  }

  /** Late spans made a decided trace be decided again. */
  public void traceRedecided() {
    redecisions.increment();
  }

  public void traceRetained(String endpoint) {
    retained.increment();
    endpoint(endpoint).retained.increment();
  }

  public void traceCounted(String endpoint) {
    counted.increment();
    endpoint(endpoint).counted.increment();
  }

  /** Late spans turned a counted trace into a retained one: it is no longer only a count. */
  public void traceUncounted(String endpoint) {
    counted.decrement();
    endpoint(endpoint).counted.decrement();
  }

  /** A retained trace was acknowledged by its TraceRecord entity. */
  public void tracePersisted() {
    persisted.increment();
  }

  public void persistRetried() {
    persistRetries.increment();
  }

  public void scorerTimedOut() {
    scorerTimeouts.increment();
  }

  public long spansReceived() {
    return spansReceived.sum();
  }

  public long tracesDecided() {
    return tracesDecided.sum();
  }

  public long retained() {
    return retained.sum();
  }

  public long counted() {
    return counted.sum();
  }

  public long persistRetries() {
    return persistRetries.sum();
  }

  /** Counted (not retained) traces of one endpoint so far, 0 if unknown. */
  public long counted(String endpoint) {
    EndpointCounts c = endpoints.get(endpoint);
    return c == null ? 0 : c.counted.sum();
  }

  /** Retained traces of one endpoint so far, 0 if unknown. */
  public long retained(String endpoint) {
    EndpointCounts c = endpoints.get(endpoint);
    return c == null ? 0 : c.retained.sum();
  }

  /** A consistent-enough copy for the API: plain numbers and maps, JSON-ready. */
  public Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spansReceived", spansReceived.sum());
    out.put("spansDropped", spansDropped.sum());
    out.put("tracesDecided", tracesDecided.sum());
    out.put("redecisions", redecisions.sum());
    out.put("retained", retained.sum());
    out.put("counted", counted.sum());
    out.put("persisted", persisted.sum());
    out.put("persistRetries", persistRetries.sum());
    out.put("scorerTimeouts", scorerTimeouts.sum());
    Map<String, Object> perEndpoint = new TreeMap<>();
    endpoints.forEach(
        (key, c) ->
            perEndpoint.put(
                key, Map.of("counted", c.counted.sum(), "retained", c.retained.sum())));
    out.put("endpoints", perEndpoint);
    return out;
  }

  private EndpointCounts endpoint(String key) {
    EndpointCounts c = endpoints.get(key);
    if (c != null) {
      return c;
    }
    // The cap is approximate under races (a few keys over): bounded, which is what matters.
    String bounded = endpoints.size() < maxEndpoints ? key : OTHER;
    return endpoints.computeIfAbsent(bounded, k -> new EndpointCounts());
  }

  private static final class EndpointCounts {
    final LongAdder counted = new LongAdder();
    final LongAdder retained = new LongAdder();
  }

  private static final class Id extends ExtensionId<PipelineStats> {
    @Override
    public PipelineStats createExtension(ActorSystem<?> system) {
      return new PipelineStats(
          system.settings().config().getInt(TraceSettings.PATH + ".stats.max-endpoints"));
    }
  }
}
