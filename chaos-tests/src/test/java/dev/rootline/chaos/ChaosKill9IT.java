package dev.rootline.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code kill9} scenario end to end, as {@code ./rootline chaos --scenario kill9} runs it:
 * exit code 0 means every failed checkout was retained exactly once and the cluster got all
 * members Up again. Runs only with {@code -Pchaos} (minutes; root; a built node under
 * node/target).
 */
class ChaosKill9IT {

  @Test
  void killingATraceNodeUnderLoadLosesNoMustRetainRequest() {
    Path root = repositoryRoot();
    int exit =
        ChaosMain.run(
            root, 3, List.of(Scenarios.all().get("kill9")),
            "mvn -pl chaos-tests verify -Pchaos (ChaosKill9IT)",
            line -> System.out.println("[chaos-it] " + line));
    assertThat(exit).as("exit code of the kill9 scenario (table and lost requests above)").isZero();
  }

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("rootline")) && Files.isDirectory(p.resolve("scripts"))) {
        return p;
      }
    }
    throw new IllegalStateException("no Rootline checkout above " + Path.of("").toAbsolutePath());
  }
}
