package dev.rootline.node.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** AC@k over faults, overall and per system and fault type, as text, Markdown or JSON. */
public record EvalReport(List<FaultResult> results) {

  public EvalReport {
    results = List.copyOf(results);
  }

  public double ac(int k) {
    return ac(results, k);
  }

  static double ac(List<FaultResult> rs, int k) {
    if (rs.isEmpty()) {
      return 0;
    }
    return rs.stream().filter(r -> r.within(k)).count() / (double) rs.size();
  }

  /** Groups by "system / fault type", in first-seen order. */
  Map<String, List<FaultResult>> byType() {
    Map<String, List<FaultResult>> out = new LinkedHashMap<>();
    for (FaultResult r : results) {
      out.computeIfAbsent(r.system() + " / " + r.type(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  Map<String, List<FaultResult>> bySystem() {
    Map<String, List<FaultResult>> out = new LinkedHashMap<>();
    for (FaultResult r : results) {
      out.computeIfAbsent(r.system(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  public String json() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "{\"faults\": %d, \"ac1\": %.4f, \"ac3\": %.4f, \"ac5\": %.4f, \"per_fault\": [",
        results.size(), ac(1), ac(3), ac(5)));
    for (int i = 0; i < results.size(); i++) {
      FaultResult r = results.get(i);
      b.append(i == 0 ? "\n  " : ",\n  ");
      b.append(String.format(Locale.ROOT,
          "{\"system\": %s, \"inject_time\": %s, \"type\": %s, \"service\": %s, \"rank\": %d, \"top\": [%s], "
              + "\"traces_before\": %d, \"flagged_before\": %d, \"retained_before\": %d, "
              + "\"traces_through_fault\": %d, \"flagged_through_fault\": %d, \"anomalies_after\": %d, \"traces_after\": %d}",
          q(r.system()), q(r.injectTime()), q(r.type()), q(r.trueService()), r.rank(),
          String.join(", ", r.topServices().stream().map(EvalReport::q).toList()),
          r.tracesBefore(), r.flaggedBefore(), r.retainedBefore(), r.tracesThroughFault(),
          r.flaggedThroughFault(), r.anomaliesAfter(), r.tracesAfter()));
    }
    b.append(results.isEmpty() ? "]}" : "\n]}");
    return b.toString();
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The tables in Markdown (also what the command prints). */
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("| scope | faults | AC@1 | AC@3 | AC@5 |\n|---|---:|---:|---:|---:|\n");
    row(b, "**all**", results);
    bySystem().forEach((k, v) -> row(b, k, v));
    byType().forEach((k, v) -> row(b, k, v));
    b.append("\n| system | injected | type | true service | rank | top 3 |\n|---|---|---|---|---:|---|\n");
    for (FaultResult r : results) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |\n", r.system(),
          r.injectTime(), r.type(), r.trueService(), r.rank() == 0 ? "—" : r.rank(),
          String.join(", ", r.topServices().subList(0, Math.min(3, r.topServices().size())))));
    }
    b.append("\n").append(retention());
    return b.toString();
  }

  /** What is measurable of retention without per-trace labels. */
  String retention() {
    long before = 0;
    long flaggedBefore = 0;
    long retainedBefore = 0;
    long through = 0;
    long flaggedThrough = 0;
    for (FaultResult r : results) {
      before += r.tracesBefore();
      flaggedBefore += r.flaggedBefore();
      retainedBefore += r.retainedBefore();
      through += r.tracesThroughFault();
      flaggedThrough += r.flaggedThroughFault();
    }
    return String.format(Locale.ROOT,
        "Retention (no per-trace labels exist, so these are proxies): before the injections, "
            + "%s of %d traces were judged anomalous and %s retained in all (anomalies + the 5%% "
            + "baseline sample); after them, %s of the %d traces that passed through the injected "
            + "pod were judged anomalous (not every such trace is affected by the fault).\n",
        pct(flaggedBefore, before), before, pct(retainedBefore, before), pct(flaggedThrough, through),
        through);
  }

  private static void row(StringBuilder b, String scope, List<FaultResult> rs) {
    b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |\n", scope, rs.size(),
        pct(ac(rs, 1)), pct(ac(rs, 3)), pct(ac(rs, 5))));
  }

  static String pct(long k, long n) {
    return n == 0 ? "n/a" : pct(k / (double) n);
  }

  static String pct(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }
}
