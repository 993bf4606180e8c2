package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Everything a scenario runs on: N namespace hosts with one Rootline node each (every role; each
 * captures only its own host), the demo services on hosts 1-3 (frontend → catalog, cart; the cart
 * fails a share of checkouts), and one more host, the "client" host, with the Cassandra and the
 * workload (nothing captures it, so the load generator is no part of any trace). The hosts,
 * Cassandra and services live for the whole harness run; each scenario gets fresh nodes on a
 * keyspace of its own ({@link #startNodes}). {@link #close} stops everything by pid and removes
 * the hosts, also on failure (the {@link NetnsLab} has a shutdown hook).
 */
public final class ChaosLab implements AutoCloseable {
  public static final int FRONTEND_PORT = 8081;

  private final Path root;
  private final Path dir;
  private final int nodeCount;
  private final NetnsLab lab;
  private final Consumer<String> progress;
  private final HostHttp http;
  private final List<NodeJvm> nodes = new ArrayList<>();
  private boolean cassandraStarted;

  private ChaosLab(Path root, Path dir, int nodeCount, NetnsLab lab, Consumer<String> progress) {
    this.root = root;
    this.dir = dir;
    this.nodeCount = nodeCount;
    this.lab = lab;
    this.progress = progress;
    this.http = new HostHttp(lab, nodeCount + 1);
  }

  /** Hosts, Cassandra and the demo services; fails (and cleans up) if any does not come up. */
  public static ChaosLab start(Path root, Path dir, int nodeCount, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (nodeCount < 3) {
      throw new IllegalArgumentException("the demo services need 3 hosts; got " + nodeCount);
    }
    Files.createDirectories(dir);
    progress.accept("creating " + (nodeCount + 1) + " namespace hosts (" + nodeCount + " nodes + client)");
    NetnsLab lab = NetnsLab.create(root, "chaos", nodeCount + 1, 210);
    ChaosLab chaos = new ChaosLab(root, dir, nodeCount, lab, progress);
    try {
      chaos.startCassandra();
      chaos.startServices();
    } catch (IOException | InterruptedException | RuntimeException e) {
      chaos.close();
      throw e;
    }
    return chaos;
  }

  public NetnsLab netns() {
    return lab;
  }

  public int clientHost() {
    return nodeCount + 1;
  }

  public HostHttp http() {
    return http;
  }

  public Path root() {
    return root;
  }

  public Path dir() {
    return dir;
  }

  public List<NodeJvm> nodes() {
    return List.copyOf(nodes);
  }

  public NodeJvm node(int host) {
    return nodes.get(host - 1);
  }

  public String frontendUrl() throws IOException, InterruptedException {
    return "http://" + lab.address(1) + ":" + FRONTEND_PORT;
  }

  private String cassandraAddress() throws IOException, InterruptedException {
    return lab.address(clientHost());
  }

  private List<String> cassandraCommand(String action) throws IOException, InterruptedException {
    String addr = cassandraAddress();
    return List.of(
        "java", "-Xms256m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
        "-Drootline.cassandra.lib=" + root.resolve("persistence/cassandra-server/target/lib"),
        "-Drootline.persistence.cassandra.listen-address=" + addr,
        "-Drootline.persistence.cassandra.rpc-address=" + addr,
        "-cp", root.resolve("node/target/classes") + ":" + root.resolve("node/target/lib") + "/*",
        "dev.rootline.persistence.CassandraMain", action, "--data", dir.resolve("cassandra").toString());
  }

  private void startCassandra() throws IOException, InterruptedException {
    progress.accept("starting Cassandra in the client host (" + cassandraAddress() + ":9042; takes ~1 min)");
    cassandraStarted = true;
    lab.exec(clientHost(), Duration.ofSeconds(300), cassandraCommand("start").toArray(String[]::new));
    progress.accept("Cassandra answers CQL");
  }

  private void startServices() throws IOException, InterruptedException {
    String h1 = lab.address(1);
    String h2 = lab.address(2);
    String h3 = lab.address(3);
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    progress.accept("starting the demo services: frontend " + h1 + ", catalog " + h2 + ", cart " + h3);
    lab.run(2, logs.resolve("catalog.log"), List.of("DEMO_BIND=" + h2),
        List.of("java", "-Dsun.net.httpserver.nodelay=true", root.resolve("demo/Catalog.java").toString(), "8082", "0.05"));
    lab.run(3, logs.resolve("cart.log"), List.of("DEMO_BIND=" + h3),
        List.of("python3", root.resolve("demo/cart.py").toString(), "8083", "0.2"));
    lab.run(1, logs.resolve("frontend.log"), List.of("DEMO_BIND=" + h1),
        List.of("python3", root.resolve("demo/frontend.py").toString(), Integer.toString(FRONTEND_PORT),
            "http://" + h2 + ":8082", "http://" + h3 + ":8083"));
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      // Catalog.java compiles itself first; a checkout answers only once all three are up.
      int s = http.get(frontendUrl() + "/", Duration.ofSeconds(5)).status();
      if (s == 200) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("the demo services did not answer within 90 s; logs in " + logs);
  }

  /** Fresh nodes on every host on a keyspace of their own; returns once all are Up. */
  public void startNodes(String scenario, Duration timeout) throws IOException, InterruptedException {
    stopNodes();
    nodes.clear();
    String keyspace = "chaos_" + scenario.replace('-', '_') + "_" + UUID.randomUUID().toString().substring(0, 8);
    Path nodeDir = dir.resolve(scenario);
    for (int i = 1; i <= nodeCount; i++) {
      nodes.add(new NodeJvm(lab, i, root, nodeDir, nodeConfig(i, keyspace)));
    }
    progress.accept("starting node-1 (first seed); logs in " + nodeDir);
    nodes.get(0).start();
    awaitApi(nodes.get(0), timeout);
    for (int i = 1; i < nodeCount; i++) {
      progress.accept("starting " + nodes.get(i).name());
      nodes.get(i).start();
    }
    for (NodeJvm n : nodes) {
      awaitApi(n, timeout);
    }
    long healthyAfter = awaitHealthy(timeout);
    if (healthyAfter < 0) {
      throw new IllegalStateException("the cluster did not have all " + nodeCount + " members Up within " + timeout);
    }
    progress.accept("cluster of " + nodeCount + " Up");
  }

  private String nodeConfig(int i, String keyspace) throws IOException, InterruptedException {
    String addr = lab.address(i);
    String db = cassandraAddress() + ":9042";
    List<String> seeds = new ArrayList<>();
    for (int s = 1; s <= Math.min(3, nodeCount); s++) {
      seeds.add("\"" + lab.address(s) + ":" + NodeJvm.CLUSTER_PORT + "\"");
    }
    String firstBucket =
        ZonedDateTime.now(ZoneOffset.UTC).minusHours(1).truncatedTo(ChronoUnit.HOURS)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm"));
    return String.join(
        "\n",
        "# node " + i + " of the chaos harness, inside host " + i + " (" + lab.namespace(i) + ")",
        "rootline.cluster { hostname = \"" + addr + "\", port = " + NodeJvm.CLUSTER_PORT
            + ", seed-nodes = [" + String.join(", ", seeds) + "] }",
        "rootline.api { host = \"" + addr + "\", port = " + NodeJvm.API_PORT + " }",
        "rootline.node.start-local-cassandra = off",
        "rootline.persistence.contact-point = \"" + db + "\"",
        "datastax-java-driver.basic.contact-points = [\"" + db + "\"]",
        "datastax-java-driver.basic.load-balancing-policy.local-datacenter = datacenter1",
        "pekko.persistence.cassandra.journal.keyspace = " + keyspace,
        "pekko.persistence.cassandra.snapshot.keyspace = " + keyspace,
        "pekko.persistence.cassandra.events-by-tag.first-time-bucket = \"" + firstBucket + "\"",
        "rootline.persistence.read-side.keyspace = " + keyspace,
        "# capture only this host: the node's own network namespace",
        "rootline.bpf.target-mode = netns",
        "rootline.actors.capture.host = \"host-" + i + "\"",
        "rootline.actors.stitch.link-wait = 5s",
        "rootline.actors.trace.quiet-period = 1s",
        "rootline.actors.trace.linger = 3s",
        "");
  }

  /** Waits until the node's API answers health (its process must stay alive). */
  public void awaitApi(NodeJvm node, Duration timeout) throws IOException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int reported = 0;
    while (System.nanoTime() < deadline) {
      if (!node.alive()) {
        throw new IllegalStateException(node.name() + " exited while starting; log " + node.log() + ":\n" + node.logTail(40));
      }
      if (http.get(node.api() + "/health", Duration.ofSeconds(3)).status() == 200) {
        return;
      }
      int waited = (int) ((System.nanoTime() - start) / 1_000_000_000L);
      if (waited / 15 > reported) {
        reported = waited / 15;
        progress.accept("waiting for " + node.name() + "'s API (" + waited + " s)");
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException(node.name() + "'s API did not answer within " + timeout + "; log " + node.log());
  }

  /**
   * The cluster view of the first node whose API answers, or null. Tries every node: during a
   * fault any one of them may be down.
   */
  public JsonNode clusterView() throws IOException, InterruptedException {
    for (NodeJvm n : nodes) {
      if (!n.alive()) {
        continue;
      }
      JsonNode view = http.json(n.api() + "/cluster", Duration.ofSeconds(5));
      if (view != null && view.has("members")) {
        return view;
      }
    }
    return null;
  }

  /** All N nodes members, all Up, none unreachable (in the view of the answering node). */
  public boolean healthy() throws IOException, InterruptedException {
    JsonNode view = clusterView();
    if (view == null || view.path("unreachable").size() > 0) {
      return false;
    }
    Set<String> up = new HashSet<>();
    for (JsonNode m : view.get("members")) {
      if (!m.path("status").asText().equals("Up") || !m.path("reachable").asBoolean(true)) {
        return false;
      }
      up.add(m.path("address").asText());
    }
    Set<String> expected = new HashSet<>();
    for (NodeJvm n : nodes) {
      expected.add(n.memberAddress());
    }
    return up.equals(expected);
  }

  /** Milliseconds until {@link #healthy()}, or -1 after {@code timeout}. */
  public long awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + timeout.toMillis();
    int reported = 0;
    while (System.currentTimeMillis() < deadline) {
      if (healthy()) {
        return System.currentTimeMillis() - start;
      }
      int waited = (int) ((System.currentTimeMillis() - start) / 1000);
      if (waited / 15 > reported) {
        reported = waited / 15;
        progress.accept("waiting for all members Up (" + waited + " s)");
      }
      Thread.sleep(500);
    }
    return -1;
  }

  /**
   * Brings every node back into the cluster and returns the epoch millis at which all members were
   * Up again (-1: not within {@code timeout}). A node that died (kill -9; or downed by the split
   * brain resolver, which makes the node exit; or all of them, after a down-all) is started again;
   * one that lives but is not Up {@code rejoin} after its start (e.g. downed, still shutting down)
   * is killed and started again. Never gives up early: a node exiting meanwhile is just restarted.
   */
  public long restoreMembers(Duration rejoin, Duration timeout) throws IOException, InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + timeout.toMillis();
    int reported = 0;
    while (System.currentTimeMillis() < deadline) {
      for (NodeJvm n : nodes) {
        if (!n.alive()) {
          progress.accept(n.name() + " is not running: starting it again");
          n.start();
        }
      }
      if (healthy()) {
        return System.currentTimeMillis();
      }
      JsonNode view = clusterView();
      for (NodeJvm n : nodes) {
        if (view != null && n.alive() && !isUp(view, n.memberAddress())
            && System.currentTimeMillis() - n.startedAtMillis() > rejoin.toMillis()) {
          progress.accept(n.name() + " is not Up " + rejoin.toSeconds() + " s after its start: kill -9 and start again");
          n.kill9();
          n.start();
        }
      }
      int waited = (int) ((System.currentTimeMillis() - start) / 1000);
      if (waited / 15 > reported) {
        reported = waited / 15;
        progress.accept("waiting for all members Up (" + waited + " s)");
      }
      Thread.sleep(1000);
    }
    return -1;
  }

  private static boolean isUp(JsonNode view, String address) {
    for (JsonNode m : view.get("members")) {
      if (m.path("address").asText().equals(address) && m.path("status").asText().equals("Up")) {
        return true;
      }
    }
    return false;
  }

  /** Stops the nodes (SIGTERM: they drain; SIGKILL after 60 s), all at once. */
  public void stopNodes() throws InterruptedException {
    for (NodeJvm n : nodes) {
      if (n.alive()) {
        Commands.signal(n.pid(), "CONT");
        Commands.signal(n.pid(), "TERM");
      }
    }
    for (NodeJvm n : nodes) {
      n.stop(Duration.ofSeconds(60));
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stopNodes();
      if (cassandraStarted) {
        try {
          lab.exec(clientHost(), Duration.ofSeconds(120), cassandraCommand("stop").toArray(String[]::new));
        } catch (IOException e) {
          progress.accept("stopping Cassandra failed (the teardown kills it): " + e.getMessage());
        }
      }
    } finally {
      lab.close();
    }
  }
}
