package dev.rootline.actors.inference.replay;

import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.actors.trace.CompletedTrace;
import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Recorded spans through the live pipeline's logic in event time: spans (in start order) are
 * grouped by trace id; a trace is complete once the event-time clock (the newest span start seen)
 * has passed its last span end by the quiet period, or it holds {@code maxSpans} spans; each
 * completed trace goes to the same {@link TraceJudge} the node uses. No sleeping, no wall clock:
 * the same input always gives the same decisions.
 */
public final class TraceReplay {

  /** A completed trace and what the judge made of it. */
  public record Replayed(CompletedTrace trace, TraceJudge.Judgement judgement) {}

  private record Open(String traceId, List<Span> spans, long[] lastEnd) {}

  private final TraceJudge judge;
  private final long quietNanos;
  private final int maxSpans;
  private final Consumer<Replayed> out;
  private final Map<String, Open> open = new HashMap<>();
  // (deadline, trace id): lazily invalidated when a trace's deadline moves.
  private final PriorityQueue<Object[]> deadlines =
      new PriorityQueue<>(Comparator.comparingLong((Object[] e) -> (Long) e[0])
          .thenComparing(e -> (String) e[1]));
  private final Set<String> decided = new LinkedHashSet<>();
  private long clock = Long.MIN_VALUE;
  private long spans;
  private long late;
  private long dropped;
  private long traces;

  public TraceReplay(TraceJudge judge, Duration quietPeriod, int maxSpans, Consumer<Replayed> out) {
    if (quietPeriod.isNegative() || quietPeriod.isZero() || maxSpans < 1) {
      throw new IllegalArgumentException("quiet period must be positive and max spans >= 1");
    }
    this.judge = judge;
    this.quietNanos = quietPeriod.toNanos();
    this.maxSpans = maxSpans;
    this.out = out;
  }

  /** Replays {@code spans} (any order: they are sorted by start first), then flushes. */
  public static List<Replayed> replay(TraceJudge judge, List<Span> spans, Duration quietPeriod,
      int maxSpans) {
    List<Replayed> result = new ArrayList<>();
    TraceReplay replay = new TraceReplay(judge, quietPeriod, maxSpans, result::add);
    List<Span> ordered = new ArrayList<>(spans);
    ordered.sort(Comparator.comparingLong(Span::startEpochNanos).thenComparing(Span::traceId)
        .thenComparing(Span::spanId));
    ordered.forEach(replay::offer);
    replay.flush();
    return result;
  }

  /** One more span; spans should come in start order (earlier ones are still accepted). */
  public void offer(Span span) {
    spans++;
    clock = Math.max(clock, span.startEpochNanos());
    completeUntil(clock);
    if (decided.contains(span.traceId())) {
      late++;
      return;
    }
    Open t = open.computeIfAbsent(span.traceId(),
        id -> new Open(id, new ArrayList<>(), new long[] {Long.MIN_VALUE}));
    if (t.spans().size() >= maxSpans) {
      dropped++;
      return;
    }
    t.spans().add(span);
    if (span.endEpochNanos() > t.lastEnd()[0]) {
      t.lastEnd()[0] = span.endEpochNanos();
      deadlines.add(new Object[] {t.lastEnd()[0] + quietNanos, t.traceId()});
    }
    if (t.spans().size() >= maxSpans) {
      complete(t);
    }
  }

  /** Completes every open trace (end of input). */
  public void flush() {
    completeUntil(Long.MAX_VALUE);
  }

  private void completeUntil(long now) {
    while (!deadlines.isEmpty() && (Long) deadlines.peek()[0] <= now) {
      Object[] e = deadlines.poll();
      Open t = open.get((String) e[1]);
      if (t != null && t.lastEnd()[0] + quietNanos == (Long) e[0]) {
        complete(t);
      }
    }
  }

  private void complete(Open t) {
    open.remove(t.traceId());
    decided.add(t.traceId());
    // Forget decided ids beyond a bound: a span that late is a new trace's concern.
    if (decided.size() > 200_000) {
      var it = decided.iterator();
      it.next();
      it.remove();
    }
    traces++;
    CompletedTrace trace = CompletedTrace.of(t.traceId(), t.spans());
    out.accept(new Replayed(trace, judge.judge(trace)));
  }

  public long spans() {
    return spans;
  }

  public long traces() {
    return traces;
  }

  /** Spans of traces already decided (arrived after the quiet period), dropped. */
  public long late() {
    return late;
  }

  /** Spans beyond max spans of their trace, dropped. */
  public long dropped() {
    return dropped;
  }
}
