package dev.rootline.node.imports;

import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.RootCause;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What an import did, as printed at its end: counts, then the issues as the read side shows them. */
record ImportSummary(long spans, long traces, long lateSpans, long droppedSpans,
    Map<String, Long> retainedByVerdict, List<IssueDetail> issues, double seconds) {

  String text() {
    StringBuilder b = new StringBuilder();
    long retained = retainedByVerdict.values().stream().mapToLong(Long::longValue).sum();
    b.append(String.format(Locale.ROOT, "imported %,d spans as %,d traces in %.0f s%n", spans,
        traces, seconds));
    if (lateSpans > 0 || droppedSpans > 0) {
      b.append(String.format(Locale.ROOT,
          "  %,d spans arrived after their trace was decided, %,d beyond trace-max-spans (dropped)%n",
          lateSpans, droppedSpans));
    }
    b.append(String.format(Locale.ROOT, "retained %,d traces", retained));
    if (!retainedByVerdict.isEmpty()) {
      b.append(" (");
      b.append(String.join(", ", retainedByVerdict.entrySet().stream()
          .map(e -> e.getKey() + " " + e.getValue()).toList()));
      b.append(")");
    }
    b.append(System.lineSeparator());
    b.append(String.format(Locale.ROOT, "%d issues touched%s%n", issues.size(),
        issues.isEmpty() ? "" : ", most occurrences first:"));
    issues.stream()
        .sorted(Comparator.comparingLong((IssueDetail d) -> d.summary().occurrences()).reversed()
            .thenComparing(d -> d.summary().issueId()))
        .forEach(d -> {
          b.append(String.format(Locale.ROOT, "  %-16s %5d× %s%n", d.summary().issueId(),
              d.summary().occurrences(), d.summary().title()));
          if (!d.rootCauses().isEmpty()) {
            RootCause top = d.rootCauses().get(0);
            b.append(String.format(Locale.ROOT, "  %16s top root cause: %s %s (p=%.2f)%n", "",
                top.level().name().toLowerCase(Locale.ROOT), top.subject(), top.probability()));
          }
        });
    return b.toString();
  }
}
