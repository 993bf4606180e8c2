package dev.rootline.actors.inference;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one trace shows against the baselines: which spans deviate (slow self time, a changed call
 * structure, cut short, failing), the deepest deviating span (where a fault shows first, since
 * effects travel up the call tree) and, per candidate, what it contributed. Immutable once built.
 *
 * <p>The self time of a span that only waits on another service (a client or exit span) is the
 * time between the two processes; its excess is blamed on the callee, whose network, queue or
 * accept loop it measures.
 */
public final class TraceEvidence {

  /** One deviating span. */
  public record Finding(
      int span, String service, String host, String operation, double selfExcess, boolean slow,
      boolean fast, List<String> structure, boolean failing, String words) {}

  private final String traceId;
  private final long startNanos;
  private final String rootOperation;
  private final Map<String, Candidate> candidates = new LinkedHashMap<>();
  private final Map<String, Double> origin = new HashMap<>();
  private final Set<String> slowest = new LinkedHashSet<>();
  private final Set<String> structural = new LinkedHashSet<>();
  private final Set<String> errorOrigin = new LinkedHashSet<>();
  private final Map<String, Double> excess = new HashMap<>();
  private final Map<String, String> deviationHost = new HashMap<>();
  private final Map<String, String> words = new HashMap<>();
  private final List<Finding> findings = new ArrayList<>();
  private final double maxExcess;
  private final Finding originFinding;

  private TraceEvidence(String traceId, long startNanos, String rootOperation, double maxExcess,
      Finding originFinding) {
    this.traceId = traceId;
    this.startNanos = startNanos;
    this.rootOperation = rootOperation;
    this.maxExcess = maxExcess;
    this.originFinding = originFinding;
  }

  public static TraceEvidence of(String traceId, SpanTree tree, Baselines baselines,
      InferenceSettings settings) {
    List<Finding> found = new ArrayList<>();
    int originIdx = -1;
    int errorIdx = -1;
    int slowestIdx = -1;
    double best = 0;
    Finding originF = null;
    for (int i = 0; i < tree.size(); i++) {
      Finding f = examine(tree, i, baselines, settings);
      if (f == null) {
        continue;
      }
      found.add(f);
      if (originIdx < 0 || tree.depth(i) > tree.depth(originIdx)) {
        originIdx = i;
        originF = f;
      }
      if (f.failing() && (errorIdx < 0 || tree.depth(i) > tree.depth(errorIdx))) {
        errorIdx = i;
      }
      if (f.slow() && f.selfExcess() > best) {
        best = f.selfExcess();
        slowestIdx = i;
      }
    }
    long start = Long.MAX_VALUE;
    for (Span s : tree.spans()) {
      start = Math.min(start, s.startEpochNanos());
    }
    int root = 0;
    for (int i = 0; i < tree.size(); i++) {
      if (tree.parent(i) < 0) {
        root = i;
        break;
      }
    }
    TraceEvidence e = new TraceEvidence(traceId, start, tree.operation(root), best, originF);
    e.findings.addAll(found);
    for (int i = 0; i < tree.size(); i++) {
      Span s = tree.span(i);
      for (Candidate c : candidatesOf(s, tree.operation(i), settings)) {
        e.candidates.putIfAbsent(c.key(), c);
      }
    }
    for (Finding f : found) {
      for (Candidate c : blamed(tree, f, settings)) {
        e.candidates.putIfAbsent(c.key(), c);
        String k = c.key();
        e.excess.merge(k, f.selfExcess(), Math::max);
        e.deviationHost.merge(k, f.host() == null ? "?" : f.host(), (a, b) -> a.equals(b) ? a : "*");
        if (!f.structure().isEmpty()) {
          e.structural.add(k);
        }
        if (f.words() != null) {
          e.words.merge(k, f.words(), (a, b) -> a);
        }
      }
    }
    // Where the fault shows first: deviating spans with no deviating span below them (effects
    // travel up the call tree). Each such leaf gets an equal share of this trace's origin credit.
    boolean[] deviating = new boolean[tree.size()];
    found.forEach(f -> deviating[f.span()] = true);
    boolean[] above = new boolean[tree.size()];
    for (Finding f : found) {
      int p = tree.parent(f.span());
      int guard = 0;
      while (p >= 0 && !above[p] && guard++ < tree.size()) {
        above[p] = true;
        p = tree.parent(p);
      }
    }
    List<Finding> leaves = found.stream().filter(f -> !above[f.span()]).toList();
    for (Finding f : leaves) {
      for (Candidate c : blamed(tree, f, settings)) {
        e.origin.merge(c.key(), 1.0 / leaves.size(), Double::sum);
      }
    }
    if (slowestIdx >= 0) {
      for (Finding f : found) {
        if (f.span() == slowestIdx) {
          blamed(tree, f, settings).forEach(c -> e.slowest.add(c.key()));
        }
      }
    }
    if (errorIdx >= 0) {
      for (Finding f : found) {
        if (f.span() == errorIdx) {
          blamed(tree, f, settings).forEach(c -> e.errorOrigin.add(c.key()));
        }
      }
    }
    return e;
  }

  /** The candidates a span stands for: its host, service, operation and request attributes. */
  static List<Candidate> candidatesOf(Span s, String operation, InferenceSettings settings) {
    List<Candidate> out = new ArrayList<>(4 + settings.maxAttributesPerSpan());
    if (s.host() != null) {
      out.add(Candidate.host(s.host()));
    }
    out.add(Candidate.service(s.service()));
    out.add(Candidate.endpoint(s.service(), operation));
    for (String a : RequestAttributes.of(s, settings.maxAttributesPerSpan())) {
      out.add(Candidate.attribute(s.service(), a, operation));
    }
    return out;
  }

  /** Whom a finding points at: the span itself, or the callee of an exit span's excess. */
  private static List<Candidate> blamed(SpanTree tree, Finding f, InferenceSettings settings) {
    int i = f.span();
    int[] kids = tree.children(i);
    boolean exit = tree.exitTo(i) != null && f.slow() && f.structure().isEmpty() && !f.failing();
    if (exit) {
      List<Candidate> out = new ArrayList<>();
      for (int k : kids) {
        out.addAll(candidatesOf(tree.span(k), tree.operation(k), settings));
      }
      return out;
    }
    return candidatesOf(tree.span(i), tree.operation(i), settings);
  }

  private static Finding examine(SpanTree tree, int i, Baselines baselines,
      InferenceSettings settings) {
    Span s = tree.span(i);
    boolean failing = s.isFailure();
    OperationBaseline b = baselines.get(tree.operation(i));
    boolean judged = b != null && b.calls() >= settings.minObservations();
    double selfExcess = 0;
    boolean slow = false;
    boolean fast = false;
    List<String> structure = List.of();
    String text = null;
    if (judged) {
      long self = tree.selfNanos(i);
      long p99 = b.self().quantile(0.99);
      double floor = 50_000; // 50 µs: below it, timer noise dominates
      selfExcess = Math.max(0, Math.log((self + floor) / (p99 + floor)));
      slow = self > settings.slowFactor() * p99
          && self - p99 >= settings.minExcessMillis() * 1e6;
      if (slow) {
        text = String.format(Locale.ROOT, "self time of %s was %s, p99 normally %s",
            tree.operation(i), millis(self), millis(p99));
      }
      long p01 = b.duration().quantile(0.01);
      fast = s.durationNanos() < settings.fastFactor() * p01
          && p01 - s.durationNanos() >= settings.minExcessMillis() * 1e6;
      if (fast && text == null) {
        text = String.format(Locale.ROOT, "%s answered in %s, normally at least %s",
            tree.operation(i), millis(s.durationNanos()), millis(p01));
      }
      structure = structureChanges(tree, i, b, settings);
      if (!structure.isEmpty() && text == null) {
        text = tree.operation(i) + " " + structure.get(0);
      }
    }
    if (failing && text == null) {
      text = (s.status() >= 500 ? "status " + s.status() : s.error()) + " from " + tree.operation(i);
    }
    if (!slow && !fast && structure.isEmpty() && !failing) {
      return null;
    }
    return new Finding(i, s.service(), s.host(), tree.operation(i), slow ? selfExcess : 0, slow,
        fast, structure, failing, text);
  }

  private static List<String> structureChanges(SpanTree tree, int i, OperationBaseline b,
      InferenceSettings settings) {
    Map<String, Integer> counts = tree.childCounts(i);
    List<String> changes = new ArrayList<>();
    for (String child : b.children()) {
      int n = counts.getOrDefault(child, 0);
      if (b.childCountShare(child, n) < settings.structureRarity()
          && !b.withinSeenRange(child, n)) {
        changes.add(n == 0
            ? "did not call " + child + " (usually " + b.usualChildCount(child) + "x)"
            : "called " + child + " " + n + "x (usually " + b.usualChildCount(child) + "x)");
      }
    }
    for (String child : counts.keySet()) {
      if (!b.knowsChild(child)) {
        changes.add("called " + child + ", never seen before");
      }
    }
    return changes;
  }

  static String millis(long nanos) {
    double ms = nanos / 1e6;
    return ms >= 10 ? Math.round(ms) + " ms" : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  public String traceId() {
    return traceId;
  }

  public long startNanos() {
    return startNanos;
  }

  public String rootOperation() {
    return rootOperation;
  }

  /** Whether any span deviates from its baseline or fails. */
  public boolean deviates() {
    return !findings.isEmpty();
  }

  /** Whether a span fails (status >= 500 or a connection error). */
  public boolean fails() {
    return !errorOrigin.isEmpty();
  }

  public List<Finding> findings() {
    return findings;
  }

  /** The deepest deviating span's finding, or null. */
  public Finding originFinding() {
    return originFinding;
  }

  public double maxExcess() {
    return maxExcess;
  }

  public Map<String, Candidate> candidates() {
    return candidates;
  }

  public boolean isOrigin(String key) {
    return origin.containsKey(key);
  }

  /** This trace's share of origin credit for a candidate, in [0, 1]. */
  public double originCredit(String key) {
    return Math.min(1.0, origin.getOrDefault(key, 0.0));
  }

  public boolean isSlowest(String key) {
    return slowest.contains(key);
  }

  public boolean isStructural(String key) {
    return structural.contains(key);
  }

  public boolean isErrorOrigin(String key) {
    return errorOrigin.contains(key);
  }

  public double excess(String key) {
    return excess.getOrDefault(key, 0.0);
  }

  /** The host the candidate's deviations were on: a host, "*" for several, null for none. */
  public String deviationHost(String key) {
    return deviationHost.get(key);
  }

  public String words(String key) {
    return words.get(key);
  }
}
