package dev.rootline.node.hosts;

import dev.rootline.node.TestApiTokens;
import java.io.IOException;
import java.net.ServerSocket;
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
 * A Rootline node in a JVM of its own ({@code dev.rootline.node.Main run --config FILE}) on the test
 * JVM's own classpath: the artifacts of this build (Maven's reactor), never a snapshot another
 * build put into the local repository or node/target/lib. Its log goes to a file; {@link #close}
 * stops it by pid (SIGTERM so it drains, SIGKILL after 60 s).
 */
final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final String name;
  final int apiPort;
  final int clusterPort;
  final Path log;
  private final Process process;

  private NodeProcess(String name, int apiPort, int clusterPort, Path log, Process process) {
    this.name = name;
    this.apiPort = apiPort;
    this.clusterPort = clusterPort;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts a node with {@code config} (HOCON) layered over its defaults, on free API and cluster
   * ports (also written into the config), and waits for its API to answer.
   */
  static NodeProcess start(String name, Path workDir, String config, Duration timeout)
      throws IOException, InterruptedException {
    int apiPort = freePort();
    int clusterPort = freePort();
    return start(name, workDir, config, apiPort, clusterPort, timeout);
  }

  static NodeProcess start(
      String name, Path workDir, String config, int apiPort, int clusterPort, Duration timeout)
      throws IOException, InterruptedException {
    Path file = workDir.resolve(name + ".conf");
    Files.writeString(
        file,
        config
            + "\n" + TestApiTokens.CONFIG
            + "\nrootline.api.port = " + apiPort
            + "\nrootline.cluster.hostname = \"127.0.0.1\""
            + "\nrootline.cluster.port = " + clusterPort + "\n");
    Path log = workDir.resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java, "-Xms128m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                    // failsafe's manifest-only jar: the JVM follows its Class-Path as well
                    "-cp", System.getProperty("java.class.path"),
                    "dev.rootline.node.Main", "run", "--config", file.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    NodeProcess node = new NodeProcess(name, apiPort, clusterPort, log, p);
    try {
      node.awaitHealthy(timeout);
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      node.close();
      throw e;
    }
    return node;
  }

  long pid() {
    return process.pid();
  }

  /** GET on this node's API; the body, or an AssertionError with the status and body. */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .header("Authorization", TestApiTokens.AUTHORIZATION)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(name + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** The last lines of the node's log, for failure messages. */
  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited (" + process.exitValue() + "):\n" + logTail(60));
      }
      try {
        get("/api/v1/health");
        return;
      } catch (IOException | AssertionError notYet) {
        Thread.sleep(500);
      }
    }
    throw new AssertionError(name + " did not answer within " + timeout + ":\n" + logTail(60));
  }

  @Override
  public void close() throws InterruptedException {
    ProcessHandle handle = process.toHandle();
    if (!handle.isAlive()) {
      return;
    }
    handle.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      handle.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
