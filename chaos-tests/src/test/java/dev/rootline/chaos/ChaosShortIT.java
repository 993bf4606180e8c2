package dev.rootline.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short chaos profile that {@code ./rootline test} (the default {@code mvn verify}) runs: the
 * {@code kill9} scenario on 3 node hosts with less load and shorter waits
 * ({@link ScenarioRunner.Settings#shortProfile()}), on a lab of its own (run {@code chaos-it},
 * subnet {@link #SUBNET}, logs in {@code .rootline/chaos-it}, table in {@code
 * chaos-tests/target/chaos-short.md}), so it never touches a {@code ./rootline chaos} run nor
 * rewrites docs/CHAOS.md. Fails on any lost or duplicated must-retain request or a cluster not
 * healthy again; everything it started is stopped and the namespaces removed also when it fails.
 * Needs root and a built node (the reactor packages node before this module).
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ChaosShortIT {
  static final int SUBNET = 212;

  @Test
  void killingATraceNodeUnderLoadLosesNoMustRetainRequest() throws Exception {
    assumeTrue(isRoot(), "needs root (network namespaces, eBPF)");
    Path root = repositoryRoot();
    assertThat(root.resolve("node/target/lib")).as("a built node (mvn package of node/)").isDirectory();
    long start = System.nanoTime();
    ChaosMain.Run how =
        new ChaosMain.Run("chaos-it", SUBNET, 3, root.resolve(".rootline/chaos-it"),
            ScenarioRunner.Settings.shortProfile(), root.resolve("chaos-tests/target/chaos-short.md"));
    int exit =
        ChaosMain.run(
            root, how, List.of(Scenarios.shortProfile()), "mvn verify (ChaosShortIT, short profile)",
            line -> System.out.println("[chaos-it] " + line));
    System.out.println("[chaos-it] short profile took " + (System.nanoTime() - start) / 1_000_000_000 + " s");
    assertThat(exit).as("exit code of the short chaos profile (table and lost requests above)").isZero();
    assertThat(Path.of("/run/netns/rl-chaos-it-h1")).as("namespaces removed").doesNotExist();
  }

  private static boolean isRoot() throws Exception {
    return new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim().equals("0");
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
