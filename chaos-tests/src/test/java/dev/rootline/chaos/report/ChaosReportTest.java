package dev.rootline.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosReportTest {

  private static ScenarioResult result(String name, long lost, long healthyMs) {
    return new ScenarioResult(name, "a fault", 900, 2, 180, 180 - lost, lost, 0, healthyMs,
        Map.of("node-1", 400L, "node-2", 380L), 0,
        Invariants.check(900, 180, lost, 0, healthyMs), "");
  }

  @Test
  void theTableHasOneRowPerScenarioWithTheBrokenInvariantsSpelledOut() {
    String table = ChaosReport.table(List.of(result("kill9", 0, 12_300), result("pause", 3, -1)));

    assertThat(table).contains("| `kill9` | 900 (2 unanswered) | 180 | 180 | 0 | 0 | 12.3 s | node-1 400, node-2 380 | 0 | held |");
    assertThat(table).contains("| `pause` |").contains("| never |")
        .contains("**broken**: 3 must-retain request(s) not retained (lost); the cluster did not get all members Up again");
  }

  @Test
  void writingReplacesOnlyTheBlockBetweenTheMarkers(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("docs/CHAOS.md");
    ChaosReport.write(doc, ChaosReport.block("./rootline chaos --scenario kill9", List.of(result("kill9", 0, 1000)), "test"));
    String first = Files.readString(doc);
    assertThat(first).startsWith("# Chaos tests").contains("`kill9`");

    Files.writeString(doc, first + "\nNotes kept by hand.\n");
    ChaosReport.write(doc, ChaosReport.block("./rootline chaos --scenario pause", List.of(result("pause", 0, 1000)), "test"));
    String second = Files.readString(doc);

    assertThat(second).contains("`pause`").doesNotContain("| `kill9`").contains("Notes kept by hand.");
    assertThat(second.indexOf(ChaosReport.BEGIN)).isEqualTo(second.lastIndexOf(ChaosReport.BEGIN));
  }

  @Test
  void noRequestsOrNoFailuresIsABrokenRunNotAPass() {
    assertThat(Invariants.check(0, 0, 0, 0, 100)).hasSize(2);
    assertThat(Invariants.check(10, 2, 0, 0, 100)).isEmpty();
  }
}
