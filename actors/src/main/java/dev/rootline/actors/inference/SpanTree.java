package dev.rootline.actors.inference;

import dev.rootline.actors.trace.Endpoint;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call tree of one trace, indexed once: each span's operation key, children, depth and self
 * time. Self time is the span's duration minus the union of its children's intervals clipped to
 * it, so parallel or overlapping calls are not subtracted twice and a child running past its
 * parent does not make the parent's self time negative.
 */
public final class SpanTree {

  private final List<Span> spans;
  private final String[] operations;
  private final int[][] children;
  private final int[] parent;
  private final int[] depth;
  private final long[] selfNanos;
  private final String[] exitTo;

  public SpanTree(List<Span> spans) {
    this.spans = List.copyOf(spans);
    int n = this.spans.size();
    operations = new String[n];
    parent = new int[n];
    depth = new int[n];
    selfNanos = new long[n];
    exitTo = new String[n];
    Map<String, Integer> byId = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      byId.putIfAbsent(this.spans.get(i).spanId(), i);
      operations[i] = operation(this.spans.get(i));
    }
    List<List<Integer>> kids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      kids.add(new ArrayList<>(2));
    }
    for (int i = 0; i < n; i++) {
      String p = this.spans.get(i).parentSpanId();
      Integer pi = p == null ? null : byId.get(p);
      parent[i] = pi == null || pi == i ? -1 : pi;
      if (parent[i] >= 0) {
        kids.get(parent[i]).add(i);
      }
    }
    children = new int[n][];
    for (int i = 0; i < n; i++) {
      children[i] = kids.get(i).stream().mapToInt(Integer::intValue).toArray();
    }
    // An exit span (a client span whose calls all go to one operation of another service) is keyed
    // by its callee too: "HTTP POST" to the price service and to the route service differ.
    for (int i = 0; i < n; i++) {
      if (children[i].length > 0 && this.spans.get(i).kind() == Span.Kind.CLIENT) {
        String callee = null;
        boolean exit = true;
        for (int c : children[i]) {
          Span child = this.spans.get(c);
          String key = child.service() + " " + operations[c];
          if (child.service().equals(this.spans.get(i).service())
              || (callee != null && !callee.equals(key))) {
            exit = false;
            break;
          }
          callee = key;
        }
        if (exit) {
          exitTo[i] = this.spans.get(children[i][0]).service();
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (exitTo[i] != null) {
        operations[i] = operations[i] + " -> " + exitTo[i];
      }
    }
    Arrays.fill(depth, -1);
    for (int i = 0; i < n; i++) {
      depth[i] = depthOf(i, 0);
      selfNanos[i] = self(i);
    }
  }

  /** "service method path-template" of a span: what a baseline is kept per. */
  public static String operation(Span s) {
    String method = s.method() == null || s.method().isBlank() ? "?" : s.method();
    return s.service() + " " + method + " " + Endpoint.template(s.path());
  }

  public int size() {
    return spans.size();
  }

  public Span span(int i) {
    return spans.get(i);
  }

  public List<Span> spans() {
    return spans;
  }

  public String operation(int i) {
    return operations[i];
  }

  /** The callee service when span {@code i} is an exit span (only calls into it), else null. */
  public String exitTo(int i) {
    return exitTo[i];
  }

  public int[] children(int i) {
    return children[i];
  }

  /** The parent's index, or -1 for a root (or a span whose parent is not in the trace). */
  public int parent(int i) {
    return parent[i];
  }

  public int depth(int i) {
    return depth[i];
  }

  public long selfNanos(int i) {
    return selfNanos[i];
  }

  /** Child operation → how many times this span called it. */
  public Map<String, Integer> childCounts(int i) {
    Map<String, Integer> counts = new HashMap<>();
    for (int c : children[i]) {
      counts.merge(operations[c], 1, Integer::sum);
    }
    return counts;
  }

  private int depthOf(int i, int guard) {
    if (depth[i] >= 0) {
      return depth[i];
    }
    // A cycle of parent ids (bad input) must not recurse forever.
    if (parent[i] < 0 || guard > spans.size()) {
      return 0;
    }
    return depthOf(parent[i], guard + 1) + 1;
  }

  private long self(int i) {
    Span s = spans.get(i);
    long start = s.startEpochNanos();
    long end = Math.max(start, s.endEpochNanos());
    if (children[i].length == 0) {
      return end - start;
    }
    long[][] intervals = new long[children[i].length][];
    for (int k = 0; k < children[i].length; k++) {
      Span c = spans.get(children[i][k]);
      long cs = Math.max(start, c.startEpochNanos());
      long ce = Math.min(end, c.endEpochNanos());
      intervals[k] = new long[] {cs, Math.max(cs, ce)};
    }
    Arrays.sort(intervals, (a, b) -> Long.compare(a[0], b[0]));
    long covered = 0;
    long curStart = intervals[0][0];
    long curEnd = intervals[0][1];
    for (int k = 1; k < intervals.length; k++) {
      if (intervals[k][0] > curEnd) {
        covered += curEnd - curStart;
        curStart = intervals[k][0];
        curEnd = intervals[k][1];
      } else {
        curEnd = Math.max(curEnd, intervals[k][1]);
      }
    }
    covered += curEnd - curStart;
    return Math.max(0, end - start - covered);
  }
}
