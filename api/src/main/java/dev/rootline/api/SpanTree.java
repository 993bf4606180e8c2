package dev.rootline.api;

import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A retained trace as the UI draws it: the summary, then the spans nested by parent, each with its
 * children in start order and its offset from the trace start.
 *
 * <p>Roots are spans without a parent or whose parent was not captured. Captured data can be odd
 * (a parent cycle, a duplicated span id): every span still appears exactly once, spans not reachable
 * from a root are listed as extra roots, so the tree never loses or repeats a span.
 */
final class SpanTree {

  private static final Comparator<Span> BY_START =
      Comparator.comparingLong(Span::startEpochNanos)
          .thenComparing(Span::spanId, Comparator.nullsFirst(Comparator.naturalOrder()));

  private final List<Span> spans;
  private final long traceStart;
  private final Map<String, Integer> firstIndexById = new HashMap<>();
  private final Map<String, List<Integer>> childrenByParent = new HashMap<>();
  private final boolean[] placed;

  private SpanTree(List<Span> spansInAnyOrder) {
    spans = new ArrayList<>(spansInAnyOrder);
    spans.sort(BY_START);
    traceStart = spans.isEmpty() ? 0 : spans.get(0).startEpochNanos();
    placed = new boolean[spans.size()];
    for (int i = 0; i < spans.size(); i++) {
      firstIndexById.putIfAbsent(spans.get(i).spanId(), i);
    }
  }

  static JsonObject toJson(RetainedTrace trace) {
    return new JsonObject()
        .put("trace", TraceJson.summary(summaryOf(trace)))
        .put("spans", new SpanTree(trace.spans()).nest());
  }

  /** The trace's own summary; a trace stored without spans cannot be shown. */
  private static TraceSummary summaryOf(RetainedTrace trace) {
    if (trace.spans().isEmpty()) {
      throw ApiProblem.internal("trace " + trace.traceId() + " was stored without spans", null);
    }
    return trace.summary();
  }


  private JsonArray nest() {
    List<Integer> roots = new ArrayList<>();
    for (int i = 0; i < spans.size(); i++) {
      Span span = spans.get(i);
      String parent = span.parentSpanId();
      if (parent == null || !firstIndexById.containsKey(parent) || parent.equals(span.spanId())) {
        roots.add(i);
      } else {
        childrenByParent.computeIfAbsent(parent, p -> new ArrayList<>()).add(i);
      }
    }
    JsonArray tree = new JsonArray();
    for (int root : roots) {
      tree.add(node(root));
    }
    for (int i = 0; i < spans.size(); i++) {
      if (!placed[i]) { // part of a parent cycle: show it rather than lose it
        tree.add(node(i));
      }
    }
    return tree;
  }

  private JsonObject node(int index) {
    placed[index] = true;
    Span span = spans.get(index);
    JsonArray children = new JsonArray();
    // Only the first span with a given id adopts children, so a duplicated id cannot repeat them.
    if (firstIndexById.get(span.spanId()) == index) {
      for (int child : childrenByParent.getOrDefault(span.spanId(), List.of())) {
        if (!placed[child]) {
          children.add(node(child));
        }
      }
    }
    return spanJson(span, traceStart).put("children", children);
  }

  static JsonObject spanJson(Span s, long traceStart) {
    long offset = s.startEpochNanos() - traceStart;
    return new JsonObject()
        .put("spanId", s.spanId())
        .put("parentSpanId", s.parentSpanId())
        .put("kind", s.kind() == null ? null : s.kind().name())
        .put("service", s.service())
        .put("host", s.host())
        .put("pid", s.pid())
        .put("method", s.method())
        .put("path", s.path())
        .put("status", s.status())
        .put("start", TraceJson.isoOfNanos(s.startEpochNanos()))
        .put("startEpochNanos", s.startEpochNanos())
        .put("end", TraceJson.isoOfNanos(s.endEpochNanos()))
        .put("endEpochNanos", s.endEpochNanos())
        .put("durationNanos", s.durationNanos())
        .put("durationMs", TraceJson.millis(s.durationNanos()))
        .put("offsetNanos", offset)
        .put("offsetMs", TraceJson.millis(offset))
        .put("requestBytes", s.requestBytes())
        .put("responseBytes", s.responseBytes())
        .put("localAddress", s.localAddress())
        .put("peerAddress", s.peerAddress())
        .put("requestExcerpt", s.requestExcerpt())
        .put("responseExcerpt", s.responseExcerpt())
        .put("error", s.error());
  }
}
