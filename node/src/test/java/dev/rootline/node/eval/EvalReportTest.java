package dev.rootline.node.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.rootline.persistence.RootCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportTest {

  @TempDir Path dir;

  private static FaultResult result(String type, int rank) {
    return new FaultResult("sys", "2023-01-29 08:43:04", type, "svc-a", rank, List.of("svc-b", "svc-a"),
        10, 1, 1, 5, 4, 6, 20);
  }

  @Test
  void accuracyAtKCountsRanksWithinK() {
    EvalReport report = new EvalReport(List.of(result("cpu", 1), result("cpu", 3), result("exception", 0),
        result("exception", 6)));

    assertThat(report.ac(1)).isEqualTo(0.25);
    assertThat(report.ac(3)).isEqualTo(0.5);
    assertThat(report.ac(5)).isEqualTo(0.5);
    assertThat(report.json()).startsWith("{\"faults\": 4, \"ac1\": 0.2500, \"ac3\": 0.5000, \"ac5\": 0.5000, \"per_fault\": [");
    assertThat(report.markdown()).contains("| sys / cpu | 2 | 50.0% | 100.0% | 100.0% |");
  }

  @Test
  void docsSectionIsReplacedBetweenItsMarkersOnly() throws Exception {
    Path docs = dir.resolve("EVALUATION.md");
    Files.writeString(docs, "# Evaluation\n\n<!-- live:begin -->live<!-- live:end -->\n\n"
        + EvalCommand.BEGIN + "old" + EvalCommand.END + "\ntail\n");
    EvalCommand.writeDocs(docs, new EvalReport(List.of(result("cpu", 1))), new String[] {"--write-docs"}, 3);

    String text = Files.readString(docs);
    assertThat(text).contains("<!-- live:begin -->live<!-- live:end -->").doesNotContain("old")
        .contains("`./rootline eval --write-docs`").endsWith(EvalCommand.END + "\ntail\n");
  }

  @Test
  void aHostCandidateCountsForTheOnlyServiceOnThatHost() {
    List<RootCause> ranking = List.of(
        new RootCause(RootCause.Level.HOST, "pod-1", null, "pod-1", 0.45, List.of()),
        new RootCause(RootCause.Level.SERVICE, "b", "b", null, 0.35, List.of()),
        new RootCause(RootCause.Level.ENDPOINT, "b op", "b", null, 0.2, List.of()));

    assertThat(NezhaEvaluation.rankServices(ranking, Map.of("pod-1", Set.of("a"))))
        .containsExactly("b", "a");
  }
}
