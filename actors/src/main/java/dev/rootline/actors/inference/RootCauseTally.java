package dev.rootline.actors.inference;

import dev.rootline.persistence.RootCause;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ranking of an issue: the candidates of its recent occurrences, each weighted by the mean
 * probability it had over those occurrences (0 where it was not a candidate), renormalised so
 * the probabilities sum to 1. The newest occurrence that named a candidate supplies its evidence.
 * Bounded: only the last {@code window} occurrences count.
 */
public final class RootCauseTally {

  private final int window;
  private final Deque<List<RootCause>> recent = new ArrayDeque<>();

  public RootCauseTally(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1: " + window);
    }
    this.window = window;
  }

  /** Adds one occurrence's ranking (most likely first); the oldest falls out beyond the window. */
  public void add(List<RootCause> ranking) {
    recent.addLast(List.copyOf(ranking));
    while (recent.size() > window) {
      recent.removeFirst();
    }
  }

  public int occurrences() {
    return recent.size();
  }

  /** The candidates, most likely first, probabilities summing to 1 (empty if none). */
  public List<RootCause> ranking() {
    Map<String, Double> sum = new HashMap<>();
    Map<String, RootCause> newest = new LinkedHashMap<>();
    for (List<RootCause> occurrence : recent) {
      for (RootCause c : occurrence) {
        String key = c.level() + "|" + c.subject();
        sum.merge(key, Math.max(0, c.probability()), Double::sum);
        newest.put(key, c);
      }
    }
    double total = sum.values().stream().mapToDouble(Double::doubleValue).sum();
    if (newest.isEmpty()) {
      return List.of();
    }
    List<RootCause> out = new ArrayList<>();
    for (var e : newest.entrySet()) {
      RootCause c = e.getValue();
      double p = total > 0 ? sum.get(e.getKey()) / total : 1.0 / newest.size();
      out.add(new RootCause(c.level(), c.subject(), c.service(), c.host(), p, c.evidence()));
    }
    out.sort(Comparator.comparingDouble(RootCause::probability).reversed()
        .thenComparing(RootCause::subject));
    return List.copyOf(out);
  }
}
