package dev.rootline.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootline.node.TestApiTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Rootline node in its own JVM, started the way {@code ./rootline node} starts it ({@code
 * java -cp target/classes:target/lib/* dev.rootline.node.Main run --config FILE}), with its config
 * file and log under the test's directory in {@code target/}. Stopped by its pid only: {@link
 * #kill9()} (SIGKILL, no shutdown hook), {@link #stopGracefully} (SIGTERM, the node's ordered
 * shutdown) or {@link #close()} (SIGKILL if still alive; call it in {@code finally}).
 */
final class NodeProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  final int clusterPort;
  final int apiPort;
  final Path log;
  private final Process process;
  private final HttpClient http;

  private NodeProcess(String name, int clusterPort, int apiPort, Path log, Process process) {
    this.name = name;
    this.clusterPort = clusterPort;
    this.apiPort = apiPort;
    this.log = log;
    this.process = process;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * Writes {@code dir/name.conf} (the given HOCON plus ports, roles and seeds) and starts the node.
   */
  static NodeProcess start(
      Path dir,
      String name,
      int clusterPort,
      int apiPort,
      List<String> roles,
      List<Integer> seedPorts,
      String extraConfig)
      throws IOException {
    Files.createDirectories(dir);
    String seeds =
        String.join(", ", seedPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").toList());
    String rolesList = String.join(", ", roles.stream().map(r -> "\"" + r + "\"").toList());
    Path conf = dir.resolve(name + ".conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "rootline.cluster.hostname = \"127.0.0.1\"",
            "rootline.cluster.port = " + clusterPort,
            "rootline.cluster.seed-nodes = [" + seeds + "]",
            "rootline.cluster.roles = [" + rolesList + "]",
            "rootline.api.host = \"127.0.0.1\"",
            "rootline.api.port = " + apiPort,
            TestApiTokens.CONFIG,
            "rootline.node.start-local-cassandra = off",
            extraConfig,
            ""));
    Path log = dir.resolve(name + ".log");
    Path nodeDir = Path.of("").toAbsolutePath();
    String classpath =
        nodeDir.resolve("target/classes") + ":" + nodeDir.resolve("target/lib") + "/*";
    Process process =
        new ProcessBuilder(
                "java",
                "-Xms128m",
                "-Xmx384m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                classpath,
                "dev.rootline.node.Main",
                "run",
                "--config",
                conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new NodeProcess(name, clusterPort, apiPort, log, process);
  }

  /** A config as {@code path = value} lines, to append to a node's config file. */
  static String hocon(com.typesafe.config.Config config) {
    StringBuilder out = new StringBuilder();
    config.entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(
            e ->
                out.append(e.getKey())
                    .append(" = ")
                    .append(e.getValue().render(com.typesafe.config.ConfigRenderOptions.concise()))
                    .append('\n'));
    return out.toString();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String address() {
    return "pekko://rootline@127.0.0.1:" + clusterPort;
  }

  /** Waits until the API answers health and a cluster view in which this node is Up. */
  void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + "; log:\n" + tail(60));
      }
      try {
        if (get("/api/v1/health").statusCode() == 200) {
          HttpResponse<String> cluster = get("/api/v1/cluster");
          last = cluster.body();
          if (cluster.statusCode() == 200 && isUp(JSON.readTree(cluster.body()), address())) {
            return;
          }
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(500);
    }
    throw new AssertionError(name + " not ready after " + timeout + " (" + last + "); log:\n" + tail(60));
  }

  static boolean isUp(JsonNode view, String address) {
    for (JsonNode m : view.get("members")) {
      if (m.get("address").asText().equals(address) && m.get("status").asText().equals("Up")) {
        return true;
      }
    }
    return false;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", TestApiTokens.AUTHORIZATION)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError(name + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** SIGKILL: the JVM dies at once, no shutdown hook, nothing drained (a crash). */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the node's ordered shutdown (drain, decide, persist, leave); true if it exited. */
  boolean stopGracefully(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
