package dev.rootline.actors.inference;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-candidate sums of the evidence of a set of anomalous traces (how many went through it, its
 * origin credit, structure changes, ...), updated as traces enter and leave, so reading one
 * candidate's evidence costs the same however many traces are summed. Optionally decaying (for
 * the long-run background) and bounded in candidates.
 */
public final class EvidenceSums {

  /** One candidate's sums. */
  public static final class Sums {
    double through;
    double origin;
    double slowest;
    double structural;
    double errorOrigin;
    double excess;
    final Map<String, Integer> deviationHosts = new HashMap<>(2);
    String words;
    boolean wordsFromOrigin;
  }

  private final Map<String, Sums> sums = new HashMap<>();
  private final int maxCandidates;
  private double traces;

  public EvidenceSums(int maxCandidates) {
    this.maxCandidates = maxCandidates;
  }

  /** Adds ({@code sign} 1) or removes ({@code sign} -1) one trace's evidence. */
  public void apply(TraceEvidence t, int sign) {
    traces += sign;
    for (String key : t.candidates().keySet()) {
      Sums s = sums.get(key);
      if (s == null) {
        if (sign < 0 || sums.size() >= maxCandidates) {
          continue;
        }
        s = new Sums();
        sums.put(key, s);
      }
      s.through += sign;
      s.origin += sign * t.originCredit(key);
      s.slowest += t.isSlowest(key) ? sign : 0;
      s.structural += t.isStructural(key) ? sign : 0;
      s.errorOrigin += t.isErrorOrigin(key) ? sign : 0;
      s.excess += sign * Math.min(CandidateEvidence.MAX_EXCESS, t.excess(key));
      String h = t.deviationHost(key);
      if (h != null) {
        s.deviationHosts.merge(h, sign, Integer::sum);
        s.deviationHosts.values().removeIf(v -> v <= 0);
      }
      String w = t.words(key);
      if (sign > 0 && w != null && (s.words == null || t.isOrigin(key) || !s.wordsFromOrigin)) {
        s.words = w;
        s.wordsFromOrigin = t.isOrigin(key);
      }
      if (s.through <= 1e-9) {
        sums.remove(key);
      }
    }
  }

  /** Halves every sum (the background's forgetting); candidates that faded away are dropped. */
  public void halve() {
    traces *= 0.5;
    sums.values().forEach(s -> {
      s.through *= 0.5;
      s.origin *= 0.5;
      s.slowest *= 0.5;
      s.structural *= 0.5;
      s.errorOrigin *= 0.5;
      s.excess *= 0.5;
    });
    sums.values().removeIf(s -> s.through < 0.01);
  }

  public Sums get(String key) {
    return sums.get(key);
  }

  /** The (possibly decayed) number of traces summed. */
  public double traces() {
    return traces;
  }

  /** A share of the summed traces: {@code value / traces}, 0 when there are none. */
  public double share(double value) {
    return traces <= 1e-9 ? 0 : value / traces;
  }
}
