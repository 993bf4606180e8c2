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
          "largest self-time excess share",
          "mean self-time excess",
          "anomalous traces through it",
          "lift over normal traces",
          "structure change share",
          "error origin share",
          "shift on one host only",
          "origin in this trace",
          "level host",
          "level service",
          "level endpoint",
          "level attribute");

  public static final int DIMENSIONS = 13;

  /** Excess (natural log of self time over the baseline p99) counted at most this much. */
  static final double MAX_EXCESS = 4.0;

  public static CandidateEvidence of(Candidate c, TraceEvidence current, AnomalyWindow window,
      Baselines baselines) {
    String key = c.key();
    int n = Math.max(1, window.size());
    AnomalyWindow.Sums sums = window.sums(key);
    int through = sums == null ? 0 : sums.through;
    double origin = sums == null ? 0 : Math.max(0, sums.origin);
    int slowest = sums == null ? 0 : sums.slowest;
    int structural = sums == null ? 0 : sums.structural;
    int errorOrigin = sums == null ? 0 : sums.errorOrigin;
    double excess = sums == null ? 0 : Math.max(0, sums.excess);
    Set<String> hosts = sums == null ? Set.of() : sums.deviationHosts.keySet();
    String example = sums == null ? null : sums.words;
    double throughShare = through / (double) n;
    double lift = Math.max(-1, Math.min(1, throughShare - baselines.normalShare(key)));
    boolean oneHost = hosts.size() == 1 && !hosts.contains("*") && c.level() != RootCause.Level.HOST
        && c.level() != RootCause.Level.ATTRIBUTE && baselines.hostsOf(key) >= 2;
    double[] v = new double[DIMENSIONS];
    v[0] = origin / (double) n;
    v[1] = slowest / (double) n;
    v[2] = excess / n / MAX_EXCESS;
    v[3] = throughShare;
    v[4] = lift;
    v[5] = structural / (double) n;
    v[6] = errorOrigin / (double) n;
    v[7] = oneHost ? 1 : 0;
    v[8] = current == null ? v[0] : current.originCredit(key);
    v[9 + c.level().ordinal()] = 1;
    List<String> words = new ArrayList<>();
    if (errorOrigin > 0) {
      words.add(pct(errorOrigin, n) + " of recent anomalous traces fail first here");
    }
    if (example != null) {
      String host = oneHost ? ", on " + hosts.iterator().next() + " only" : "";
      words.add(example + host);
    }
    if (origin > 0.005) {
      words.add("where the deviation starts in " + pct(origin / n) + " of " + n + " recent anomalous traces");
    }
    if (structural > 0) {
      words.add("call structure changed in " + pct(structural, n) + " of them");
    }
    words.add(String.format(Locale.ROOT, "%s of anomalous traces pass through it vs %s of normal ones",
        pct(through, n), pct(baselines.normalShare(key)), n));
    return new CandidateEvidence(c, v, words);
  }

  static String pct(int k, int n) {
    return pct(k / (double) n);
  }

  static String pct(double share) {
    return Math.round(share * 100) + "%";
  }
}
