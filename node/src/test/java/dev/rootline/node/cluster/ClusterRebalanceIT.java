package dev.rootline.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootline.node.DemoServices;
import dev.rootline.persistence.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Shards move when trace nodes join and leave, visibly in {@code GET /api/v1/cluster}, and no
 * failed request is lost on the way: n1 captures and serves the API, n2 hosts the traces; n3
 * joins under load and takes shards; then n2 leaves gracefully (SIGTERM: its entities decide and
 * persist what they hold, its shards hand over to n3).
 */
class ClusterRebalanceIT {
  private static final Duration READY = Duration.ofSeconds(180);

  @Test
  void shardsMoveOnJoinAndGracefulLeaveAndNothingIsLost() throws Exception {
    Path dir = Path.of("target", "cluster-it", "ClusterRebalanceIT-" + System.currentTimeMillis()).toAbsolutePath();
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      String extra =
          NodeProcess.hocon(TestCassandra.config(TestCassandra.uniqueKeyspace("rebalance")))
              + "\nrootline.actors.trace.quiet-period = 1s\nrootline.actors.trace.linger = 3s\n"
              // Rebalance every 2 s instead of 10 s, so the test sees shards move soon.
              + "pekko.cluster.sharding.rebalance-interval = 2s\n";
      DemoServices services = new DemoServices(0.3);
      toClose.add(0, services);
      int seed = TestCassandra.freePort();
      // Capture only the demo services: the host is shared with other tests' traffic.
      String captureOnly =
          extra
              + "rootline.bpf.target-mode = pids\nrootline.bpf.target-pids = "
              + services.pids()
              + "\n";
      NodeProcess n1 =
          NodeProcess.start(dir, "n1", seed, TestCassandra.freePort(), List.of("capture", "api"), List.of(seed), captureOnly);
      toClose.add(0, n1);
      n1.awaitReady(READY);
      NodeProcess n2 =
          NodeProcess.start(dir, "n2", TestCassandra.freePort(), TestCassandra.freePort(), List.of("trace", "api"), List.of(seed), extra);
      toClose.add(0, n2);
      n2.awaitReady(READY);
      NodeKillIT.awaitUpMembers(n1, Set.of(n1.address(), n2.address()), READY);

      CheckoutLoad load = new CheckoutLoad(services.frontendPort, 2, Duration.ofMillis(100));
      toClose.add(0, load);
      Thread.sleep(10_000);
      Map<String, Integer> beforeJoin = RetainedTraces.shards(n1.getJson("/api/v1/cluster"), "Trace");

      NodeProcess n3 =
          NodeProcess.start(dir, "n3", TestCassandra.freePort(), TestCassandra.freePort(), List.of("trace", "api"), List.of(seed), extra);
      toClose.add(0, n3);
      n3.awaitReady(READY);
      Map<String, Integer> afterJoin = awaitShards(n1, s -> s.getOrDefault(n3.address(), 0) > 0, Duration.ofSeconds(150));

      long leaveAt = System.currentTimeMillis();
      assertThat(n2.stopGracefully(Duration.ofSeconds(120))).as("n2 exits after its graceful stop").isTrue();
      long leftAfter = System.currentTimeMillis() - leaveAt;
      Map<String, Integer> afterLeave =
          awaitShards(n1, s -> !s.containsKey(n2.address()) && s.getOrDefault(n3.address(), 0) > 0, Duration.ofSeconds(150));
      System.out.printf(
          "ClusterRebalanceIT: Trace shards before n3 joined %s, after %s, after n2 left (%d ms) %s%n",
          beforeJoin, afterJoin, leftAfter, afterLeave);
      Thread.sleep(10_000);
      load.close();

      List<CheckoutLoad.Sent> sent = load.sent();
      Set<String> failed = RetainedTraces.failed(sent);
      Map<String, Integer> retained = RetainedTraces.await(n1, services.frontendPort, failed, Duration.ofSeconds(120));
      Set<String> missing = new HashSet<>(failed);
      missing.removeAll(retained.keySet());
      JsonNode view = n1.getJson("/api/v1/cluster");
      String figures =
          String.join(
              "\n",
              "ClusterRebalanceIT figures",
              "Trace shards before n3 joined: " + beforeJoin,
              "after n3 joined: " + afterJoin,
              "after n2 left (its graceful stop took " + leftAfter + " ms): " + afterLeave,
              "requests: " + sent.size() + ", 500s: " + failed.size() + ", missing: " + missing.size(),
              "n3 delivery: " + n3.getJson("/api/v1/stats").get("delivery"),
              "");
      System.out.println(figures);
      Files.writeString(dir.resolve("figures.txt"), figures);

      assertThat(beforeJoin).containsOnlyKeys(n2.address());
      assertThat(afterJoin.get(n3.address())).as("n3 took shards").isPositive();
      assertThat(afterLeave).containsOnlyKeys(n3.address());
      assertThat(NodeKillIT.memberAddresses(view)).containsExactlyInAnyOrder(n1.address(), n3.address());
      // A graceful stop is a leave, not a crash: n2 ran coordinated shutdown for leaving, and no
      // one saw it unreachable (Pekko's own JVM hook used to abort its remote connections at
      // SIGTERM, so the others marked it unreachable and the split brain resolver downed it).
      assertThat(Files.readString(n2.log)).contains("Running CoordinatedShutdown with reason [ClusterLeavingReason]");
      for (NodeProcess other : List.of(n1, n3)) {
        assertThat(Files.readString(other.log))
            .as(other.name + " never marked n2 unreachable")
            .doesNotContain("Marking node as UNREACHABLE [Member(" + n2.address() + ",");
      }
      assertThat(failed).isNotEmpty();
      assertThat(missing).as("500s not retained (%s)", figures).isEmpty();
      assertThat(retained.values()).allMatch(n -> n == 1);
    } finally {
      for (AutoCloseable c : toClose) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("cleanup: " + e);
        }
      }
    }
  }

  private static Map<String, Integer> awaitShards(
      NodeProcess api, java.util.function.Predicate<Map<String, Integer>> done, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Integer> shards = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        shards = RetainedTraces.shards(api.getJson("/api/v1/cluster"), "Trace");
        if (done.test(shards)) {
          return shards;
        }
      } catch (AssertionError | java.io.IOException busy) {
        System.err.println("cluster view not readable yet: " + busy.getMessage());
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("shards never got there: " + shards);
  }
}
