package dev.rootline.actors.stitch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What cross-host stitching did on this node (connection entities and trace entities living
 * here), for {@code /api/v1/stats} and tests. Monotonic counters, one instance per actor system.
 */
public final class StitchCounters implements Extension {

  private final AtomicLong linksReceived = new AtomicLong();
  private final AtomicLong linksMalformed = new AtomicLong();
  private final AtomicLong matched = new AtomicLong();
  private final AtomicLong expiredUnmatched = new AtomicLong();
  private final AtomicLong displacedUnmatched = new AtomicLong();
  private final AtomicLong tracesMerged = new AtomicLong();
  private final AtomicLong mergesRefused = new AtomicLong();
  private final AtomicLong spansForwarded = new AtomicLong();

  public static StitchCounters get(ActorSystem<?> system) {
    return system.registerExtension(Id.INSTANCE);
  }

  void linkReceived() {
    linksReceived.incrementAndGet();
  }

  void linkMalformed() {
    linksMalformed.incrementAndGet();
  }

  void matched() {
    matched.incrementAndGet();
  }

  void expiredUnmatched(long n) {
    expiredUnmatched.addAndGet(n);
  }

  void displacedUnmatched(long n) {
    displacedUnmatched.addAndGet(n);
  }

  /** A server-root trace handed its spans to its client's trace. */
  public void traceMerged() {
    tracesMerged.incrementAndGet();
  }

  /** A merge that came after the trace had been decided on its own (or would loop). */
  public void mergeRefused() {
    mergesRefused.incrementAndGet();
  }

  /** A span re-sent or forwarded to the trace it was merged into. */
  public void spanForwarded() {
    spansForwarded.incrementAndGet();
  }

  public long matchedCount() {
    return matched.get();
  }

  public long tracesMergedCount() {
    return tracesMerged.get();
  }

  /** All counters by name, in a stable order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("linksReceived", linksReceived.get());
    m.put("linksMalformed", linksMalformed.get());
    m.put("linksMatched", matched.get());
    m.put("linksExpiredUnmatched", expiredUnmatched.get());
    m.put("linksDisplacedUnmatched", displacedUnmatched.get());
    m.put("tracesMerged", tracesMerged.get());
    m.put("mergesRefused", mergesRefused.get());
    m.put("spansForwarded", spansForwarded.get());
    return m;
  }

  private static final class Id extends ExtensionId<StitchCounters> {
    static final Id INSTANCE = new Id();

    @Override
    public StitchCounters createExtension(ActorSystem<?> system) {
      return new StitchCounters();
    }
  }
}
