package dev.rootline.chaos.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scenario table (Markdown) and its place in {@code docs/CHAOS.md}: between the markers
 * below, with the command and the date; the rest of the file is left as it is.
 */
public final class ChaosReport {
  public static final String BEGIN = "<!-- chaos-table:begin -->";
  public static final String END = "<!-- chaos-table:end -->";

  private ChaosReport() {}

  public static String table(List<ScenarioResult> results) {
    StringBuilder s = new StringBuilder();
    s.append("| scenario | requests sent | must-retain | found once | lost | duplicated | healthy again after heal | all retained after load end | peak RSS per node (MiB) | spans shed | invariants |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
    for (ScenarioResult r : results) {
      Map<String, Long> rss = new TreeMap<>(r.peakRssMib());
      StringBuilder mem = new StringBuilder();
      rss.forEach((node, mib) -> mem.append(mem.length() == 0 ? "" : ", ").append(node).append(' ').append(mib < 0 ? "?" : mib));
      s.append("| `").append(r.scenario()).append("` | ")
          .append(r.requestsSent()).append(r.unanswered() > 0 ? " (" + r.unanswered() + " unanswered)" : "").append(" | ")
          .append(r.mustRetain()).append(" | ")
          .append(r.foundOnce()).append(" | ")
          .append(r.lost()).append(" | ")
          .append(r.duplicated()).append(" | ")
          .append(r.healthyAfterMs() < 0 ? "never" : String.format("%.1f s", r.healthyAfterMs() / 1000.0)).append(" | ")
          .append(r.retainedAfterMs() < 0 ? "-" : String.format("%.0f s", r.retainedAfterMs() / 1000.0)).append(" | ")
          .append(mem).append(" | ")
          .append(r.spansShed()).append(" | ")
          .append(r.passed() ? "held" : "**broken**: " + String.join("; ", r.violations())).append(" |\n");
    }
    s.append('\n');
    for (ScenarioResult r : results) {
      s.append("- `").append(r.scenario()).append("`: ").append(r.description()).append('\n');
    }
    return s.toString();
  }

  /** The block written between the markers. */
  public static String block(String command, List<ScenarioResult> results, String machine) {
    return BEGIN + "\n"
        + "Command: `" + command + "`  \n"
        + "Date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "  \n"
        + "Machine: " + machine + "\n\n"
        + table(results)
        + END;
  }

  /** Replaces the block between the markers in {@code file} (creating file or block as needed). */
  public static void write(Path file, String block) throws IOException {
    String text = Files.exists(file) ? Files.readString(file) : "";
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    String updated;
    if (b >= 0 && e > b) {
      updated = text.substring(0, b) + block + text.substring(e + END.length());
    } else {
      updated = (text.isEmpty() ? "# Chaos tests\n\n" : text + "\n") + block + "\n";
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, updated);
  }
}
