package dev.rootline.actors.inference;

import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The evidence for one candidate across the recent anomalous traces, as numbers (the ranking
 * model's input, {@link #NAMES}) and as words (shown to the user, strongest first).
 */
public record CandidateEvidence(Candidate candidate, double[] vector, List<String> words) {

  public static final List<String> NAMES =
      List.of(
          "origin share",
          "origin share above background",
          "largest self-time excess share",
          "mean self-time excess",
          "mean self-time excess above background",
          "anomalous traces through it",
          "lift over normal traces",
          "structure change share above background",
          "error origin share",
          "error origin share above background",
          "shift on one host only",
          "origin in this trace",
          "level host",
          "level service",
          "level endpoint",
          "level attribute");

  public static final int DIMENSIONS = 16;

  /** Excess (natural log of self time over the baseline p99) counted at most this much. */
  static final double MAX_EXCESS = 4.0;

  /**
   * The evidence for {@code c} in the {@code recent} anomalous traces against the {@code
   * background} ones; {@code current} is the trace being decided (null for an incident ranking).
   */
  public static CandidateEvidence of(Candidate c, TraceEvidence current, EvidenceSums recent,
      EvidenceSums background, Baselines baselines) {
    String key = c.key();
    EvidenceSums.Sums r = recent.get(key);
    EvidenceSums.Sums b = background.get(key);
    double n = Math.max(1, recent.traces());
    double origin = r == null ? 0 : Math.max(0, r.origin) / n;
    double excess = r == null ? 0 : Math.max(0, r.excess) / n / MAX_EXCESS;
    double through = r == null ? 0 : r.through / n;
    double structural = r == null ? 0 : r.structural / n;
    double errors = r == null ? 0 : r.errorOrigin / n;
    double normalShare = baselines.normalShare(key);
    Set<String> hosts = r == null ? Set.of() : r.deviationHosts.keySet();
    boolean oneHost = hosts.size() == 1 && !hosts.contains("*") && c.level() != RootCause.Level.HOST
        && c.level() != RootCause.Level.ATTRIBUTE && baselines.hostsOf(key) >= 2;
    double[] v = new double[DIMENSIONS];
    v[0] = origin;
    v[1] = origin - (b == null ? 0 : background.share(Math.max(0, b.origin)));
    v[2] = r == null ? 0 : r.slowest / n;
    v[3] = excess;
    v[4] = excess - (b == null ? 0 : background.share(Math.max(0, b.excess)) / MAX_EXCESS);
    v[5] = through;
    v[6] = Math.max(-1, Math.min(1, through - normalShare));
    v[7] = structural - (b == null ? 0 : background.share(b.structural));
    v[8] = errors;
    v[9] = errors - (b == null ? 0 : background.share(b.errorOrigin));
    v[10] = oneHost ? 1 : 0;
    v[11] = current == null ? origin : current.originCredit(key);
    v[12 + c.level().ordinal()] = 1;
    List<String> words = new ArrayList<>();
    int count = (int) Math.round(n);
    if (errors > 0) {
      words.add(pct(errors) + " of recent anomalous traces fail first here");
    }
    if (r != null && r.words != null) {
      String host = oneHost ? ", on " + hosts.iterator().next() + " only" : "";
      words.add(r.words + host);
    }
    if (origin > 0.005) {
      String usual = b == null || background.traces() < 1 ? ""
          : " (usually " + pct(background.share(Math.max(0, b.origin))) + ")";
      words.add("where the deviation starts in " + pct(origin) + " of " + count
          + " recent anomalous traces" + usual);
    }
    if (structural > 0) {
      words.add("call structure changed in " + pct(structural) + " of them");
    }
    words.add(pct(through) + " of anomalous traces pass through it vs " + pct(normalShare)
        + " of normal ones");
    return new CandidateEvidence(c, v, words);
  }

  static String pct(int k, int n) {
    return pct(k / (double) n);
  }

  static String pct(double share) {
    return Math.round(share * 100) + "%";
  }
}
