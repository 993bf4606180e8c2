package dev.rootline.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootline.node.DemoServices;
import dev.rootline.node.TestApiTokens;
import dev.rootline.persistence.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Three node JVMs against one real Cassandra: n1 captures (the only capture node: capture is
 * kernel-wide) and serves the API without hosting traces, n2 and n3 host the trace entities.
 * Under checkout load (a share of which fails with 500), n2 is killed with SIGKILL. Every request
 * that got a 500 during the test must end up in exactly one retained trace: the spans n2 held
 * unconfirmed are delivered again to their entities' new home on n3.
 */
class NodeKillIT {
  private static final Duration READY = Duration.ofSeconds(180);

  @Test
  void killingATraceNodeUnderLoadLosesNoFailedRequest() throws Exception {
    Path dir = Path.of("target", "cluster-it", "NodeKillIT-" + System.currentTimeMillis()).toAbsolutePath();
    List<AutoCloseable> toClose = new ArrayList<>();
    WebSocket stream = null;
    try {
      String extra =
          NodeProcess.hocon(TestCassandra.config(TestCassandra.uniqueKeyspace("node_kill")))
              + "\nrootline.actors.trace.quiet-period = 1s\nrootline.actors.trace.linger = 3s\n";
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
      NodeProcess n3 =
          NodeProcess.start(dir, "n3", TestCassandra.freePort(), TestCassandra.freePort(), List.of("trace", "api"), List.of(seed), extra);
      toClose.add(0, n3);
      n2.awaitReady(READY);
      n3.awaitReady(READY);
      awaitUpMembers(n1, Set.of(n1.address(), n2.address(), n3.address()), READY);

      // n1 has role api but not trace: its live stream still carries n2's and n3's decisions.
      List<String> streamed = new CopyOnWriteArrayList<>();
      stream =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .header("Authorization", TestApiTokens.AUTHORIZATION)
              .buildAsync(URI.create("ws://127.0.0.1:" + n1.apiPort + "/api/v1/stream"), new Collector(streamed))
              .get();

      CheckoutLoad load = new CheckoutLoad(services.frontendPort, 3, Duration.ofMillis(100));
      toClose.add(0, load);
      long loadStart = System.currentTimeMillis();
      Thread.sleep(20_000);
      JsonNode n2Before = n2.getJson("/api/v1/stats");

      long killedAt = System.currentTimeMillis();
      n2.kill9();
      Set<String> beforeKill = new HashSet<>();
      long n2RemovedAfter = -1;
      long preKillRecoveredAfter = -1;
      // Keep the load on for 25 s after the kill, watching membership and the pre-kill failures.
      while (System.currentTimeMillis() - killedAt < 25_000) {
        if (beforeKill.isEmpty()) {
          load.sent().stream()
              .filter(s -> s.status() == 500 && s.sentAtMillis() < killedAt)
              .forEach(s -> beforeKill.add(s.traceId()));
        }
        try {
          JsonNode view = n1.getJson("/api/v1/cluster");
          if (n2RemovedAfter < 0 && !memberAddresses(view).contains(n2.address())) {
            n2RemovedAfter = System.currentTimeMillis() - killedAt;
          }
          if (preKillRecoveredAfter < 0
              && RetainedTraces.failedCheckouts(n1, services.frontendPort).keySet().containsAll(beforeKill)) {
            preKillRecoveredAfter = System.currentTimeMillis() - killedAt;
          }
        } catch (AssertionError | java.io.IOException busy) {
          System.err.println("n1 busy: " + busy.getMessage()); // a 503 under load: ask again
        }
        Thread.sleep(1000);
      }
      load.close();
      long loadEnd = System.currentTimeMillis();

      List<CheckoutLoad.Sent> sent = load.sent();
      Set<String> failed = RetainedTraces.failed(sent);
      Map<String, Integer> retained =
          RetainedTraces.await(n1, services.frontendPort, failed, Duration.ofSeconds(150));
      if (preKillRecoveredAfter < 0 && retained.keySet().containsAll(beforeKill)) {
        preKillRecoveredAfter = System.currentTimeMillis() - killedAt;
      }
      JsonNode n1Stats = n1.getJson("/api/v1/stats");
      JsonNode n3Stats = n3.getJson("/api/v1/stats");
      JsonNode view = n1.getJson("/api/v1/cluster");

      Set<String> missing = new HashSet<>(failed);
      missing.removeAll(retained.keySet());
      String figures =
          String.join(
              "\n",
              "NodeKillIT figures",
              "requests sent: " + sent.size() + " in " + (loadEnd - loadStart) + " ms, 500s: " + failed.size()
                  + " (before the kill: " + beforeKill.size() + "), no answer: "
                  + sent.stream().filter(s -> s.status() == 0).count(),
              "spans shipped by n1: " + n1Stats.at("/delivery/spansSent").asLong() + " in "
                  + n1Stats.at("/delivery/batchesSent").asLong() + " batches ("
                  + String.format("%.1f", n1Stats.at("/delivery/spansSent").asLong() * 1000.0 / (System.currentTimeMillis() - loadStart))
                  + " spans/s averaged up to now), shed: " + n1Stats.at("/delivery/spansShed").asLong(),
              "spans received by n2 before the kill: " + n2Before.at("/delivery/spansReceived").asLong()
                  + ", by n3 in all: " + n3Stats.at("/delivery/spansReceived").asLong(),
              "delivered to trace nodes beyond what n1 shipped (re-deliveries, n2's last second missing): "
                  + (n2Before.at("/delivery/spansReceived").asLong() + n3Stats.at("/delivery/spansReceived").asLong()
                      - n1Stats.at("/delivery/spansSent").asLong())
                  + " spans; batches delivered again to an entity already holding them: "
                  + n3Stats.at("/delivery/batchesAlreadyHeld").asLong(),
              "mid-sequence batches to a fresh entity on n3: " + n3Stats.at("/delivery/batchesRedelivered").asLong() + " batches, "
                  + n3Stats.at("/delivery/spansRedelivered").asLong() + " spans",
              "n2 removed from membership " + n2RemovedAfter + " ms after the kill",
              "every failure sent before the kill retained " + preKillRecoveredAfter + " ms after the kill",
              "failures missing: " + missing.size() + ", retained twice: "
                  + retained.values().stream().filter(n -> n > 1).count(),
              "shards after: " + view.get("shards"),
              "");
      System.out.println(figures);
      Files.writeString(dir.resolve("figures.txt"), figures);

      assertThat(failed).as("the cart fails a share of the checkouts").isNotEmpty();
      assertThat(beforeKill).as("failures before the kill").isNotEmpty();
      assertThat(missing).as("500s not retained (figures: %s)", figures).isEmpty();
      assertThat(retained.values()).as("each failure retained once").allMatch(n -> n == 1);
      assertThat(retained.keySet())
          .as("no failed checkout of this test retained under a trace id no request had")
          .isSubsetOf(idsOf(sent));
      assertThat(n1Stats.at("/delivery/spansShed").asLong()).isZero();
      assertThat(memberAddresses(view)).doesNotContain(n2.address());
      assertThat(RetainedTraces.shards(view, "Trace")).containsOnlyKeys(n3.address());
      assertThat(streamed).as("n1 (api, no trace) streams decisions made on n2/n3")
          .anyMatch(m -> m.contains("trace-retained") && failed.stream().anyMatch(m::contains));
    } finally {
      if (stream != null) {
        stream.abort();
      }
      for (AutoCloseable c : toClose) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("cleanup: " + e);
        }
      }
    }
  }

  private static Set<String> idsOf(List<CheckoutLoad.Sent> sent) {
    Set<String> ids = new HashSet<>();
    sent.forEach(s -> ids.add(s.traceId()));
    return ids;
  }

  static Set<String> memberAddresses(JsonNode view) {
    Set<String> out = new HashSet<>();
    view.get("members").forEach(m -> out.add(m.get("address").asText()));
    return out;
  }

  static void awaitUpMembers(NodeProcess api, Set<String> addresses, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode view = null;
    while (System.nanoTime() < deadline) {
      view = api.getJson("/api/v1/cluster");
      if (RetainedTraces.upMembers(view).containsAll(addresses)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("members not all Up: " + view);
  }

  private static final class Collector implements WebSocket.Listener {
    private final List<String> into;
    private final StringBuilder partial = new StringBuilder();

    Collector(List<String> into) {
      this.into = into;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        into.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }
}
