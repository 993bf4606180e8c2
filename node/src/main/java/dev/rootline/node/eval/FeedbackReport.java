package dev.rootline.node.eval;

import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.RankerTraining;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The outcome of {@code ./rootline eval --feedback}: the feedback given, the held-out faults'
 * ranks before and after retraining, and their capture volume before and after the tuned policies;
 * as Markdown or JSON.
 *
 * @param given the faults feedback was given on
 * @param heldOut the faults the result is measured on
 * @param labels rankings labelled
 * @param labelRows candidate rows of those labels
 * @param priorRows the prior's simulated rows
 * @param labelWeight times each label row counted
 * @param pointedAt the services feedback confirmed as root causes
 * @param normalShare the configured share of normal traces retained
 * @param tunedShare the share the tuner's rule gives those services
 * @param candidatesBefore the prior on the held-out incidents' candidates (what promotion compares)
 * @param candidatesAfter the retrained ranker on them
 * @param servicesBefore the prior on the held-out labels, by service ({@link
 *     RankerTraining#evaluateByService})
 * @param servicesAfter the retrained ranker on them, by service
 * @param sensitivity other trainings on the same feedback (other label weights, a subset of the
 *     labels), in order: {AC@1, AC@3} of the held-out faults after retraining
 * @param trainSeconds time of the retraining
 * @param weightsBefore the prior's weights ({@link dev.rootline.actors.inference.RootCauseRanker#weights()})
 * @param weightsAfter the retrained ranker's weights
 */
public record FeedbackReport(
    List<Given> given,
    List<HeldOut> heldOut,
    int labels,
    int labelRows,
    int priorRows,
    int labelWeight,
    List<String> pointedAt,
    double normalShare,
    double tunedShare,
    RankerTraining.Metrics candidatesBefore,
    RankerTraining.Metrics candidatesAfter,
    RankerTraining.Metrics servicesBefore,
    RankerTraining.Metrics servicesAfter,
    Map<String, double[]> sensitivity,
    double trainSeconds,
    double[] weightsBefore,
    double[] weightsAfter) {

  /**
   * A fault feedback was given on.
   *
   * @param label what was said of its incident ranking ("confirmed KEY" or "named (not listed)")
   * @param rankings rankings labelled (the incident's and its occurrences')
   * @param rankable ...of them with the true cause listed
   */
  public record Given(String system, String injectTime, String type, String trueService,
      String label, int rankings, int rankable) {}

  /**
   * A held-out fault: the true service's rank (1 = first, 0 = not ranked) by the prior and by the
   * retrained ranker, and what was retained of it with the configured and the tuned policies.
   */
  public record HeldOut(String system, String injectTime, String type, String trueService,
      int rankBefore, int rankAfter, Volume before, Volume after) {}

  /**
   * Capture volume of one replay.
   *
   * @param traces traces judged
   * @param tracesTouching ...that have a span in a service feedback pointed at
   * @param retained traces retained (failures, anomalies, baseline sample)
   * @param retainedTouching ...that have a span in such a service
   * @param retainedSpans spans of the retained traces
   * @param retainedSpansIn ...in such a service
   */
  public record Volume(long traces, long tracesTouching, long retained, long retainedTouching,
      long retainedSpans, long retainedSpansIn) {

    static Volume sum(List<Volume> vs) {
      long[] n = new long[6];
      for (Volume v : vs) {
        n[0] += v.traces;
        n[1] += v.tracesTouching;
        n[2] += v.retained;
        n[3] += v.retainedTouching;
        n[4] += v.retainedSpans;
        n[5] += v.retainedSpansIn;
      }
      return new Volume(n[0], n[1], n[2], n[3], n[4], n[5]);
    }
  }

  public FeedbackReport {
    given = List.copyOf(given);
    heldOut = List.copyOf(heldOut);
    pointedAt = List.copyOf(pointedAt);
    sensitivity = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sensitivity));
    weightsBefore = weightsBefore.clone();
    weightsAfter = weightsAfter.clone();
  }

  /** Promotion by candidate rank only: not worse on AC@1 and AC@3 of the held-back labels. */
  public boolean promotedByCandidates() {
    return candidatesAfter.notWorseThan(candidatesBefore);
  }

  /** Promotion that also asks the services' ranks not to get worse. */
  public boolean promoted() {
    return promotedByCandidates() && servicesAfter.notWorseThan(servicesBefore);
  }

  public double acBefore(int k) {
    return ac(heldOut, HeldOut::rankBefore, k);
  }

  public double acAfter(int k) {
    return ac(heldOut, HeldOut::rankAfter, k);
  }

  static double ac(List<HeldOut> rs, Function<HeldOut, Integer> rank, int k) {
    if (rs.isEmpty()) {
      return 0;
    }
    return rs.stream().filter(r -> rank.apply(r) >= 1 && rank.apply(r) <= k).count() / (double) rs.size();
  }

  public Volume volumeBefore() {
    return Volume.sum(heldOut.stream().map(HeldOut::before).toList());
  }

  public Volume volumeAfter() {
    return Volume.sum(heldOut.stream().map(HeldOut::after).toList());
  }

  /** "all" first, then each system, in first-seen order. */
  Map<String, List<HeldOut>> scopes() {
    Map<String, List<HeldOut>> out = new LinkedHashMap<>();
    out.put("**all**", heldOut);
    for (HeldOut r : heldOut) {
      out.computeIfAbsent(r.system(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "Feedback on %d faults: %d rankings labelled from the ground truth (%d candidate rows, each "
            + "counted %d times against the prior's %d simulated rows); retrained in %.1f s.\n\n",
        given.size(), labels, labelRows, labelWeight, priorRows, trainSeconds));
    b.append("Root-cause ranking of the held-out faults (true service's rank, as in plain eval):\n\n");
    b.append("| scope | held-out faults | AC@1 before | AC@1 after | AC@3 before | AC@3 after |\n"
        + "|---|---:|---:|---:|---:|---:|\n");
    scopes().forEach((scope, rs) -> b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |\n",
        scope, rs.size(), pct(ac(rs, HeldOut::rankBefore, 1)), pct(ac(rs, HeldOut::rankAfter, 1)),
        pct(ac(rs, HeldOut::rankBefore, 3)), pct(ac(rs, HeldOut::rankAfter, 3)))));
    b.append(String.format(Locale.ROOT,
        "\nPromotion check on the held-out incidents as held-back labels (%d whose true service is a "
            + "candidate): by candidate (`RankerTraining.evaluate`) AC@1 %s → %s, AC@3 %s → %s, mean "
            + "rank %.1f → %.1f; by service (`evaluateByService`) AC@1 %s → %s, AC@3 %s → %s. "
            + "Promoted by candidate rank alone: %s; by candidate and service rank: %s.\n",
        candidatesAfter.rankings(), pct(candidatesBefore.ac1()), pct(candidatesAfter.ac1()),
        pct(candidatesBefore.ac3()), pct(candidatesAfter.ac3()), candidatesBefore.meanRank(),
        candidatesAfter.meanRank(), pct(servicesBefore.ac1()), pct(servicesAfter.ac1()),
        pct(servicesBefore.ac3()), pct(servicesAfter.ac3()),
        promotedByCandidates() ? "yes" : "no", promoted() ? "yes" : "no"));
    if (!sensitivity.isEmpty()) {
      List<String> parts = new ArrayList<>();
      sensitivity.forEach((k, v) -> parts.add(
          String.format(Locale.ROOT, "%s: AC@1 %s, AC@3 %s", k, pct(v[0]), pct(v[1]))));
      b.append("\nRetrained otherwise on the same feedback (held-out faults, service level): ")
          .append(String.join("; ", parts)).append(".\n");
    }
    b.append("\nWhat the model learnt (logistic-regression weights per evidence dimension):\n\n"
        + "| evidence | prior | retrained |\n|---|---:|---:|\n");
    for (int i = 0; i < weightsBefore.length; i++) {
      String name = i < CandidateEvidence.NAMES.size() ? CandidateEvidence.NAMES.get(i) : "intercept";
      b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |\n", name, weightsBefore[i],
          i < weightsAfter.length ? weightsAfter[i] : Double.NaN));
    }
    b.append(String.format(Locale.ROOT,
        "\nCapture volume of the held-out faults' replays: the services feedback confirmed (%s) "
            + "keep %s instead of %s of their normal traces (the tuner's rule); a trace keeps the "
            + "largest share of any service it passes.\n\n",
        String.join(", ", pointedAt), pct(tunedShare), pct(normalShare)));
    b.append("| scope | traces | touching those services | of these kept, before | after "
        + "| of the others kept, before | after | retained spans in those services, before | after "
        + "| all retained spans, before | after |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    scopes().forEach((scope, rs) -> {
      Volume vb = Volume.sum(rs.stream().map(HeldOut::before).toList());
      Volume va = Volume.sum(rs.stream().map(HeldOut::after).toList());
      long others = vb.traces() - vb.tracesTouching();
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s | %s | %s | %d | %d | %d | %d |\n",
          scope, vb.traces(), vb.tracesTouching(), pct(vb.retainedTouching(), vb.tracesTouching()),
          pct(va.retainedTouching(), va.tracesTouching()),
          pct(vb.retained() - vb.retainedTouching(), others),
          pct(va.retained() - va.retainedTouching(), others), vb.retainedSpansIn(),
          va.retainedSpansIn(), vb.retainedSpans(), va.retainedSpans()));
    });
    b.append("\n| system | injected | type | true service | half | rank before | rank after | feedback |\n"
        + "|---|---|---|---|---|---:|---:|---|\n");
    for (Given g : given) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | feedback | | | %s; %d rankings (%d listing it) |\n",
          g.system(), g.injectTime(), g.type(), g.trueService(), g.label(), g.rankings(), g.rankable()));
    }
    for (HeldOut h : heldOut) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | held out | %s | %s | |\n",
          h.system(), h.injectTime(), h.type(), h.trueService(), rank(h.rankBefore()), rank(h.rankAfter())));
    }
    return b.toString();
  }

  public String json() {
    StringBuilder b = new StringBuilder();
    Volume vb = volumeBefore();
    Volume va = volumeAfter();
    b.append(String.format(Locale.ROOT,
        "{\"feedback_faults\": %d, \"held_out_faults\": %d, \"labels\": %d, \"label_rows\": %d, "
            + "\"prior_rows\": %d, \"label_weight\": %d, \"train_seconds\": %.2f,\n"
            + " \"ac1_before\": %.4f, \"ac1_after\": %.4f, \"ac3_before\": %.4f, \"ac3_after\": %.4f,\n"
            + " \"candidates_before\": %s, \"candidates_after\": %s, \"services_before\": %s, "
            + "\"services_after\": %s,\n \"promoted_by_candidates\": %b, \"promoted\": %b,\n"
            + " \"pointed_at\": [%s], \"normal_share\": %.4f, \"tuned_share\": %.4f,\n"
            + " \"volume_before\": %s, \"volume_after\": %s,\n \"sensitivity\": {",
        given.size(), heldOut.size(), labels, labelRows, priorRows, labelWeight, trainSeconds,
        acBefore(1), acAfter(1), acBefore(3), acAfter(3), json(candidatesBefore),
        json(candidatesAfter), json(servicesBefore), json(servicesAfter), promotedByCandidates(),
        promoted(), String.join(", ", pointedAt.stream().map(FeedbackReport::q).toList()),
        normalShare, tunedShare, json(vb), json(va)));
    List<String> sens = new ArrayList<>();
    sensitivity.forEach((k, v) -> sens.add(
        String.format(Locale.ROOT, "%s: {\"ac1\": %.4f, \"ac3\": %.4f}", q(k), v[0], v[1])));
    b.append(String.join(", ", sens)).append("},\n \"weights_before\": ")
        .append(java.util.Arrays.toString(weightsBefore)).append(", \"weights_after\": ")
        .append(java.util.Arrays.toString(weightsAfter)).append(",\n \"given\": [");
    for (int i = 0; i < given.size(); i++) {
      Given g = given.get(i);
      b.append(i == 0 ? "\n  " : ",\n  ").append(String.format(Locale.ROOT,
          "{\"system\": %s, \"inject_time\": %s, \"type\": %s, \"service\": %s, \"label\": %s, "
              + "\"rankings\": %d, \"rankable\": %d}",
          q(g.system()), q(g.injectTime()), q(g.type()), q(g.trueService()), q(g.label()), g.rankings(),
          g.rankable()));
    }
    b.append("],\n \"held_out\": [");
    for (int i = 0; i < heldOut.size(); i++) {
      HeldOut h = heldOut.get(i);
      b.append(i == 0 ? "\n  " : ",\n  ").append(String.format(Locale.ROOT,
          "{\"system\": %s, \"inject_time\": %s, \"type\": %s, \"service\": %s, \"rank_before\": %d, "
              + "\"rank_after\": %d, \"volume_before\": %s, \"volume_after\": %s}",
          q(h.system()), q(h.injectTime()), q(h.type()), q(h.trueService()), h.rankBefore(), h.rankAfter(),
          json(h.before()), json(h.after())));
    }
    b.append("]}");
    return b.toString();
  }

  private static String json(RankerTraining.Metrics m) {
    return String.format(Locale.ROOT,
        "{\"rankings\": %d, \"ac1\": %.4f, \"ac3\": %.4f, \"ac5\": %.4f, \"mean_rank\": %.3f}",
        m.rankings(), m.ac1(), m.ac3(), m.ac5(), m.meanRank());
  }

  private static String json(Volume v) {
    return String.format(Locale.ROOT,
        "{\"traces\": %d, \"traces_touching\": %d, \"retained\": %d, \"retained_touching\": %d, "
            + "\"retained_spans\": %d, \"retained_spans_in\": %d}",
        v.traces(), v.tracesTouching(), v.retained(), v.retainedTouching(), v.retainedSpans(),
        v.retainedSpansIn());
  }

  private static String rank(int r) {
    return r == 0 ? "—" : String.valueOf(r);
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String pct(long k, long n) {
    return EvalReport.pct(k, n);
  }

  private static String pct(double share) {
    return EvalReport.pct(share);
  }
}
