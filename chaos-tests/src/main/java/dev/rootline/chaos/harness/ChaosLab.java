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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  /** The hosts live on 10.200.SUBNET.0/24 (scripts/lib/netns-hosts.sh numbering). */
  public static final int SUBNET = 210;
  public static final String SUBNET_CIDR = "10.200." + SUBNET + ".0/24";
  /** Cassandra's own CQL port in the client host. */
  public static final int CQL_PORT = 9042;
  /** The latency proxy in front of Cassandra (client host): the nodes' contact point. */
  public static final int CQL_PROXY_PORT = 9043;
  /** The port each node's Artery really binds; its canonical port is the proxy's. */
  public static final int ARTERY_BIND_PORT = NodeJvm.CLUSTER_PORT + 1;

  private final Path root;
  private final Path dir;
  private final int nodeCount;
  private final NetnsLab lab;
  private final Consumer<String> progress;
  private final HostHttp http;
  private final List<NodeJvm> nodes = new ArrayList<>();
  private final List<ProxyDelay.Proxy> proxies = new ArrayList<>();
  private boolean cassandraStarted;
  /** Set first thing in {@link #close} (e.g. from the Ctrl-C hook): the restore loops give up. */
  private volatile boolean closing;
  private long cassandraPid = -1;
  private boolean closed;

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
    return start(root, dir, "chaos", SUBNET, nodeCount, progress);
  }

  /**
   * The same under another run name and subnet, so a second lab (the short profile of {@code
   * ./rootline test}) never tears down or collides with a {@code ./rootline chaos} run.
   */
  public static ChaosLab start(Path root, Path dir, String run, int subnet, int nodeCount, Consumer<String> progress)
      throws IOException, InterruptedException {
    if (nodeCount < 3) {
      throw new IllegalArgumentException("the demo services need 3 hosts; got " + nodeCount);
    }
    Files.createDirectories(dir);
    progress.accept("creating " + (nodeCount + 1) + " namespace hosts (" + nodeCount + " nodes + client; run " + run + ")");
    NetnsLab lab = NetnsLab.create(root, run, nodeCount + 1, subnet);
    ChaosLab chaos = new ChaosLab(root, dir, nodeCount, lab, progress);
    try {
      chaos.startProxies();
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
        // a first start (fresh data directory) took more than the default 120 s at load 35
        "-Drootline.persistence.cassandra.startup-timeout=300s",
        "-cp", root.resolve("node/target/classes") + ":" + root.resolve("node/target/lib") + "/*",
        "dev.rootline.persistence.CassandraMain", action, "--data", dir.resolve("cassandra-server").toString());
  }

  private void startCassandra() throws IOException, InterruptedException {
    // A fresh data directory per harness run: every scenario leaves a keyspace behind, and a
    // Cassandra restarting (the cassandra scenario) on the keyspaces of all earlier runs takes
    // minutes longer. The teardown of a run left over has already killed any Cassandra on it.
    Path data = dir.resolve("cassandra-server");
    if (Files.exists(data)) {
      try (var walk = Files.walk(data)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    progress.accept("starting Cassandra in the client host (" + cassandraAddress() + ":" + CQL_PORT + "; takes ~1 min)");
    cassandraStarted = true;
    cassandraPid = launchCassandra();
    progress.accept("Cassandra answers CQL (pid " + cassandraPid + ")");
  }

  /** {@code CassandraMain start} inside the client host: returns once CQL answers there; its pid. */
  private long launchCassandra() throws IOException, InterruptedException {
    String out = lab.exec(clientHost(), Duration.ofSeconds(360), cassandraCommand("start").toArray(String[]::new));
    Matcher m = CASSANDRA_RUNNING.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("CassandraMain start printed no pid: " + out);
    }
    return Long.parseLong(m.group(1));
  }

  /** Where nodes pin their captures (rootline.bpf.handover.dir, the default). */
  private static final Path HANDOVER_DIR = Path.of("/run/rootline/bpf");
  private static final Pattern CASSANDRA_RUNNING = Pattern.compile("Cassandra running: pid ([0-9]+)");

  /** The pid of the Cassandra JVM (in the client host). */
  public synchronized long cassandraPid() {
    return cassandraPid;
  }

  /** Starts Cassandra again on its data directory (after a kill); returns its new pid. */
  public synchronized long restartCassandra() throws IOException, InterruptedException {
    cassandraPid = launchCassandra();
    return cassandraPid;
  }

  /**
   * Waits, from inside host {@code fromHost}, until {@code address:port} answers CQL, then times
   * one more OPTIONS round trip ({@link CqlReadyMain}); returns its output line ({@code
   * ready-after-ms=N round-trip-ms=M}). Throws when not ready within {@code timeout}.
   */
  public String cqlReady(int fromHost, String address, int port, Duration timeout)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return lab.exec(fromHost, timeout.plusSeconds(30),
        java, "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CqlReadyMain.class.getName(), address, Integer.toString(port), Long.toString(timeout.toSeconds())).trim();
  }

  /** Round trip in ms of one CQL OPTIONS from host 1 through the Cassandra proxy; -1 if none. */
  public long cqlRoundTripThroughProxyMillis() throws IOException, InterruptedException {
    Matcher m = Pattern.compile("round-trip-ms=(-?[0-9]+)")
        .matcher(cqlReady(1, cassandraAddress(), CQL_PROXY_PORT, Duration.ofSeconds(30)));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  public String cassandraHostAddress() throws IOException, InterruptedException {
    return cassandraAddress();
  }

  /**
   * One latency-proxy process per host ({@link DelayProxyMain}): in each node host in front of
   * the node's Artery port (the node binds {@link #ARTERY_BIND_PORT} and advertises the proxy's
   * {@link NodeJvm#CLUSTER_PORT} as canonical, so every remoting connection to it, cluster
   * gossip, heartbeats, sharding and span delivery alike, passes the proxy), and in the client
   * host in front of Cassandra (the nodes' contact point is {@link #CQL_PROXY_PORT}). The delay is
   * 0 until a scenario switches it on ({@link #latency}).
   */
  private void startProxies() throws IOException, InterruptedException {
    Path pdir = dir.resolve("proxies");
    Files.createDirectories(pdir);
    progress.accept("starting the latency proxies (delay 0): Artery on every node host, CQL on the client host");
    for (int h = 1; h <= nodeCount + 1; h++) {
      String addr = lab.address(h);
      String pair = h == clientHost()
          ? addr + ":" + CQL_PROXY_PORT + "=" + addr + ":" + CQL_PORT
          : addr + ":" + NodeJvm.CLUSTER_PORT + "=" + addr + ":" + ARTERY_BIND_PORT;
      String name = h == clientHost() ? "cql-proxy" : "artery-proxy-" + h;
      Path control = pdir.resolve(name + ".delay");
      Files.deleteIfExists(control);
      Files.deleteIfExists(DelayProxyMain.applied(control));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      long pid = lab.run(h, pdir.resolve(name + ".log"), List.of(),
          List.of(java, "-Xms16m", "-Xmx64m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
              DelayProxyMain.class.getName(), control.toString(), pair));
      proxies.add(new ProxyDelay.Proxy(name, control, pid));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (ProxyDelay.Proxy p : proxies) {
      while (DelayProxyMain.readMillis(DelayProxyMain.applied(p.control())) != 0
          || !Files.exists(DelayProxyMain.applied(p.control()))) {
        if (!Commands.alive(p.pid()) || System.nanoTime() > deadline) {
          throw new IllegalStateException("latency proxy " + p.name() + " did not start; log "
              + p.control().resolveSibling(p.name() + ".log"));
        }
        Thread.sleep(100);
      }
    }
  }

  /** A fault adding {@code delay} each way on every proxied path (inter-node Artery, node → Cassandra). */
  public ProxyDelay latency(Duration delay) {
    for (ProxyDelay.Proxy p : proxies) {
      if (!Commands.alive(p.pid())) {
        throw new IllegalStateException("latency proxy " + p.name() + " (pid " + p.pid() + ") is not running");
      }
    }
    return new ProxyDelay(proxies, delay);
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
    for (ProxyDelay.Proxy p : proxies) {
      if (!Commands.alive(p.pid())) {
        throw new IllegalStateException("latency proxy " + p.name() + " (pid " + p.pid() + ") died; log "
            + p.control().resolveSibling(p.name() + ".log"));
      }
    }
    String keyspace = "chaos_" + scenario.replace('-', '_') + "_" + UUID.randomUUID().toString().substring(0, 8);
    Path nodeDir = dir.resolve(scenario);
    for (int i = 1; i <= nodeCount; i++) {
      int host = i;
      nodes.add(new NodeJvm(lab, i, root, nodeDir, nodeConfig(i, keyspace), () -> joinRunningCluster(host)));
    }
    progress.accept("starting node-1 (first seed); logs in " + nodeDir);
    NodeJvm first = nodes.get(0);
    first.start();
    try {
      awaitApi(first, timeout);
    } catch (IllegalStateException exitedOrSlow) {
      // On an overloaded machine a starting node can fail its cluster join: one more try.
      progress.accept(exitedOrSlow.getMessage().lines().findFirst().orElse("") + "; starting it once more");
      first.stop(Duration.ofSeconds(30));
      first.start();
      awaitApi(first, timeout);
    }
    for (int i = 1; i < nodeCount; i++) {
      progress.accept("starting " + nodes.get(i).name());
      nodes.get(i).start();
    }
    // Seen at load 37: a joining node downed by the split brain resolver before it was Up (it
    // exits). restoreMembers starts such a node again, and kills and restarts one not Up in time.
    // A member is Up before the node has finished starting (journal schema, projections, API):
    // only when every API answers too is the cluster ready for a fault (a Cassandra killed while
    // a node still creates its schema makes that node give up and exit).
    long deadline = System.currentTimeMillis() + timeout.plus(timeout).toMillis();
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || restoreMembers(timeout, Duration.ofMillis(left)) < 0) {
        throw new IllegalStateException("the cluster did not have all " + nodeCount + " members Up with their APIs within "
            + timeout.plus(timeout));
      }
      boolean apis = true;
      for (NodeJvm n : nodes) {
        apis &= http.get(n.api() + "/health", Duration.ofSeconds(3)).status() == 200;
      }
      if (apis && healthy()) {
        break;
      }
      Thread.sleep(1000);
    }
    progress.accept("cluster of " + nodeCount + " Up, every API answers");
  }

  private String nodeConfig(int i, String keyspace) throws IOException, InterruptedException {
    String addr = lab.address(i);
    // through the client host's latency proxy (delay 0 unless a scenario switches it on)
    String db = cassandraAddress() + ":" + CQL_PROXY_PORT;
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
        "# Artery binds " + ARTERY_BIND_PORT + "; the canonical " + NodeJvm.CLUSTER_PORT
            + " other members connect to is this host's latency proxy",
        "pekko.remote.artery.bind { hostname = \"" + addr + "\", port = " + ARTERY_BIND_PORT + " }",
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
        "# the capture stays pinned while the node restarts: a restart loses no request (the ring",
        "# holds the traffic of the gap; the pins are removed when the scenario's nodes stop)",
        "rootline.bpf.handover.name = \"" + handoverName(i) + "\"",
        "rootline.bpf.ring-buffer-bytes = 128 MiB",
        "# three nodes, Cassandra and the services share two cores: a node taking over minutes of",
        "# ring ships its backlog only as fast as the trace side confirms it (steady load keeps a",
        "# few hundred spans unconfirmed; the default 20000 let a 48 MB catch-up swamp the cluster)",
        "rootline.cluster.delivery.max-unconfirmed-spans = 2000",
        "rootline.actors.stitch.link-wait = 5s",
        "# trace quiet-period and linger: the node's defaults (2 s, 10 s), as a deployment runs them",
        "");
  }

  /**
   * For a node starting while a cluster runs (some other node's API answers, so it is an Up
   * member): seed nodes without itself, so it joins that cluster and never forms one of its own.
   * With the common seed list node-1 is the first seed, and a first seed whose InitJoin nobody
   * answers within {@code seed-node-timeout} joins itself: seen at load 19, the restarted node-1
   * formed an island of one while node-2 and node-3 ran on, and the harness, asking the island
   * for the members, killed the healthy two. Empty when no cluster runs (the seeds as written).
   */
  private String joinRunningCluster(int host) throws IOException, InterruptedException {
    List<String> running = new ArrayList<>();
    for (NodeJvm n : nodes) {
      if (n.host() != host && apiAnswers(n)) {
        running.add("\"" + n.address() + ":" + NodeJvm.CLUSTER_PORT + "\"");
      }
    }
    if (running.isEmpty()) {
      return "";
    }
    return "# started while a cluster runs: join it (never form one of its own)\n"
        + "rootline.cluster.seed-nodes = [" + String.join(", ", running) + "]";
  }

  /**
   * True when the node's API answers health. A node starts its API only once it is an Up member,
   * so this tells a restarted incarnation from the old one the others may still list as Up.
   */
  public boolean apiAnswers(NodeJvm node) throws IOException, InterruptedException {
    return node.alive() && http.get(node.api() + "/health", Duration.ofSeconds(3)).status() == 200;
  }

  /**
   * Waits until every running node has shipped its backlog: the spans it delivered that the trace
   * side has not confirmed yet (decided and persisted; {@code /api/v1/stats}
   * delivery.spansUnconfirmed) are at most {@code maxUnconfirmed} on each. A restarted node takes
   * its predecessor's capture ring over and ships minutes of spans at once; an operator's rolling
   * restart lets it catch up before stopping the next node. Progress every 15 s.
   *
   * @return the milliseconds waited, or -1 when {@code timeout} passed first (the caller goes on)
   */
  public long awaitCaughtUp(long maxUnconfirmed, Duration timeout)
      throws IOException, InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + timeout.toMillis();
    int reported = 0;
    while (true) {
      List<String> behind = new ArrayList<>();
      for (NodeJvm n : nodes) {
        if (!n.alive()) {
          continue;
        }
        JsonNode stats = http.json(n.api() + "/stats", Duration.ofSeconds(5));
        JsonNode unconfirmed = stats == null ? null : stats.at("/delivery/spansUnconfirmed");
        if (unconfirmed == null || !unconfirmed.isNumber()) {
          behind.add(n.name() + " (no stats)");
        } else if (unconfirmed.asLong() > maxUnconfirmed) {
          behind.add(n.name() + " " + unconfirmed.asLong() + " spans unconfirmed");
        }
      }
      long waited = System.currentTimeMillis() - start;
      if (behind.isEmpty()) {
        return waited;
      }
      if (System.currentTimeMillis() > deadline) {
        progress.accept("not caught up after " + timeout.toSeconds() + " s: " + String.join(", ", behind) + "; going on");
        return -1;
      }
      if (waited / 15_000 > reported) {
        reported = (int) (waited / 15_000);
        progress.accept("waiting for the catch-up (" + waited / 1000 + " s): " + String.join(", ", behind));
      }
      Thread.sleep(2000);
    }
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
      if (apiAnswers(node)) {
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
        progress.accept("waiting for all members Up (" + waited + " s; " + viewSummary() + ")");
      }
      Thread.sleep(500);
    }
    return -1;
  }

  /** True once {@link #close()} began (a signal or the end of the run): stop, do not wait. */
  public boolean closing() {
    return closing;
  }

  /**
   * Brings every node back into the cluster and returns the epoch millis at which all members were
   * Up again (-1: not within {@code timeout}). A node that died (kill -9; or downed by the split
   * brain resolver, which makes the node exit; or all of them, after a down-all) is started again;
   * one that lives but that no live node lists Up {@code rejoin} after its start (e.g. downed,
   * still shutting down) is killed and started again. Never gives up early: a node exiting meanwhile is just restarted.
   */
  public long restoreMembers(Duration rejoin, Duration timeout) throws IOException, InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + timeout.toMillis();
    int reported = 0;
    while (System.currentTimeMillis() < deadline) {
      if (closing) {
        throw new IllegalStateException("the lab is shutting down: not restoring members");
      }
      for (NodeJvm n : nodes) {
        if (!n.alive()) {
          progress.accept(n.name() + " is not running: starting it again");
          n.start();
        }
      }
      if (healthy()) {
        return System.currentTimeMillis();
      }
      for (NodeJvm n : nodes) {
        if (n.alive() && System.currentTimeMillis() - n.startedAtMillis() > rejoin.toMillis()
            && !upInAnyView(n.memberAddress())) {
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

  /** The members as one answering node sees them, for progress lines: why it is not healthy. */
  private String viewSummary() throws IOException, InterruptedException {
    JsonNode view = clusterView();
    if (view == null) {
      return "no node answers /cluster";
    }
    StringBuilder s = new StringBuilder("view:");
    for (JsonNode m : view.get("members")) {
      String a = m.path("address").asText();
      s.append(' ').append(a.substring(a.indexOf('@') + 1)).append(' ').append(m.path("status").asText())
          .append(m.path("reachable").asBoolean(true) ? "" : " (unreachable)");
    }
    return s.append(", unreachable ").append(view.path("unreachable").size()).toString();
  }

  /**
   * Whether some live node lists {@code address} as Up. Asking one node is not enough: a node that
   * just started answers before it has joined, with a view of itself only, and the harness took
   * that as "the others are not Up" and killed two healthy long-running members (rolling restart,
   * 22:28Z on 2026-11-27). False also when no node answers.
   */
  private boolean upInAnyView(String address) throws IOException, InterruptedException {
    for (NodeJvm n : nodes) {
      if (!n.alive()) {
        continue;
      }
      JsonNode view = http.json(n.api() + "/cluster", Duration.ofSeconds(5));
      if (view != null && view.has("members") && isUp(view, address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUp(JsonNode view, String address) {
    for (JsonNode m : view.get("members")) {
      if (m.path("address").asText().equals(address) && m.path("status").asText().equals("Up")) {
        return true;
      }
    }
    return false;
  }

  /** The handover name of host {@code i}'s capture (rootline.bpf.handover.name). */
  private static String handoverName(int i) {
    return "chaos-h" + i;
  }

  /**
   * Removes the pinned captures of every host: their nodes are stopped for good (end of a
   * scenario), or an earlier run died before it could (start of one). Unpinning detaches the
   * programs.
   */
  private void releaseCaptures() throws IOException {
    for (int i = 1; i <= nodeCount; i++) {
      Path pins = HANDOVER_DIR.resolve(handoverName(i));
      if (Files.isDirectory(pins)) {
        try (var files = Files.walk(pins)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /** Stops the nodes (SIGTERM: they drain; SIGKILL after 60 s), all at once. */
  public void stopNodes() throws InterruptedException, IOException {
    for (NodeJvm n : nodes) {
      if (n.alive()) {
        Commands.signal(n.pid(), "CONT");
        Commands.signal(n.pid(), "TERM");
      }
    }
    for (NodeJvm n : nodes) {
      n.stop(Duration.ofSeconds(60));
    }
    releaseCaptures();
  }

  /** Idempotent: called from the harness's finally and from its shutdown hook (Ctrl-C). */
  @Override
  public void close() throws IOException, InterruptedException {
    closing = true;
    closeOnce();
  }

  private synchronized void closeOnce() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
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
