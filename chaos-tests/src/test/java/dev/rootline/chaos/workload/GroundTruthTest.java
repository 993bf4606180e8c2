package dev.rootline.chaos.workload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthTest {

  @Test
  void readsRequestsSkipsCutLinesAndSelectsTheFailedOnes(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("truth.log");
    Files.writeString(
        log,
        String.join(
            "\n",
            "0123456789abcdef0123456789abcdef 200 1000 1010",
            "fedcba9876543210fedcba9876543210 500 1001 1020",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 502 1002 1030",
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 0 1003 21003",
            "cccccccccccccccccccccccccccccccc 50", // cut by a killed writer
            ""));

    GroundTruth truth = GroundTruth.read(log);

    assertThat(truth.requests()).hasSize(4);
    assertThat(truth.malformedLines()).isEqualTo(1);
    assertThat(truth.unanswered()).isEqualTo(1);
    assertThat(truth.mustRetain())
        .extracting(GroundTruth.Request::traceId)
        .containsExactly("fedcba9876543210fedcba9876543210", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  }

  @Test
  void aMissingLogIsNoRequests(@TempDir Path dir) throws Exception {
    assertThat(GroundTruth.read(dir.resolve("none")).requests()).isEmpty();
  }
}
