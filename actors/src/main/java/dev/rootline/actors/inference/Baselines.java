package dev.rootline.actors.inference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All operation baselines of one judge plus how often each candidate (service, endpoint, host,
 * attribute) appears in normal traces. Bounded: beyond {@code maxOperations} the least recently
 * used operation is forgotten; beyond {@code maxCandidates} the least recently seen candidate.
 */
public final class Baselines {

  private final InferenceSettings settings;
  private final Map<String, OperationBaseline> operations;
  private final Map<String, Double> normalPresence;
  private final Map<String, java.util.Set<String>> hosts;
  // Hosts seen in normal traffic, up to two: with one host, "the host" explains nothing.
  private final java.util.Set<String> anyHosts = new java.util.HashSet<>();
  private double normalTraces;
  private int sinceDecay;

  public Baselines(InferenceSettings settings) {
    this.settings = settings;
    this.operations = lru(settings.maxOperations());
    this.normalPresence = lru(settings.maxCandidates());
    this.hosts = lru(settings.maxCandidates());
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }

  /** The baseline of an operation, or null when it was never learnt. */
  public OperationBaseline get(String operation) {
    return operations.get(operation);
  }

  /** Learns a normal trace: every span into its operation's baseline, and what it went through. */
  public void learn(SpanTree tree, Iterable<String> candidateKeys) {
    for (int i = 0; i < tree.size(); i++) {
      OperationBaseline b =
          operations.computeIfAbsent(
              tree.operation(i),
              k ->
                  new OperationBaseline(
                      settings.baselineHalfLife(), settings.maxChildOperations(), settings.maxHosts()));
      b.add(
          tree.selfNanos(i),
          Math.max(0, tree.span(i).durationNanos()),
          tree.childCounts(i),
          tree.span(i).host(),
          tree.span(i).isFailure());
      String host = tree.span(i).host();
      if (host != null) {
        if (anyHosts.size() < 2) {
          anyHosts.add(host);
        }
        addHost(Candidate.service(tree.span(i).service()).key(), host);
        addHost(Candidate.endpoint(tree.span(i).service(), tree.operation(i)).key(), host);
      }
    }
    for (String key : candidateKeys) {
      normalPresence.merge(key, 1.0, Double::sum);
    }
    normalTraces++;
    if (++sinceDecay >= settings.baselineHalfLife()) {
      sinceDecay = 0;
      normalTraces *= 0.5;
      normalPresence.replaceAll((k, v) -> v * 0.5);
    }
  }

  /** The share of normal traces that went through a candidate (0 when never seen). */
  public double normalShare(String candidateKey) {
    if (normalTraces <= 0) {
      return 0;
    }
    Double seen = normalPresence.get(candidateKey);
    return seen == null ? 0 : Math.min(1.0, seen / normalTraces);
  }

  private void addHost(String key, String host) {
    java.util.Set<String> set = hosts.computeIfAbsent(key, k -> new java.util.HashSet<>());
    if (set.size() < settings.maxHosts()) {
      set.add(host);
    }
  }

  /**
   * Whether a host can be a root cause: only when normal traffic was seen on more than one host.
   * On a single host every trace passes through it, so it would absorb every incident's evidence
   * and name nothing a developer can act on.
   */
  public boolean hostsComparable() {
    return anyHosts.size() >= 2;
  }

  /** On how many hosts a service or endpoint was seen in normal traffic (capped). */
  public int hostsOf(String candidateKey) {
    java.util.Set<String> set = hosts.get(candidateKey);
    return set == null ? 0 : set.size();
  }

  public int operationCount() {
    return operations.size();
  }

  public int candidateCount() {
    return normalPresence.size();
  }
}
