package dev.rootline.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Cassandra (started with the node's {@code CassandraMain} on a temp data directory and
 * free ports) killed with SIGKILL by {@link CassandraOutage} and restarted on the same data.
 * Needs a built node ({@code node/target/lib}); point {@code -Drootline.root=DIR} at another
 * checkout's root to use its build.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CassandraOutageIT {

  private static final Pattern RUNNING = Pattern.compile("Cassandra running: pid ([0-9]+)");

  @Test
  void killedCassandraIsGoneUntilHealRestartsItOnTheSameData() throws Exception {
    Path root = Path.of(System.getProperty("rootline.root", Path.of("").toAbsolutePath().getParent().toString()));
    assumeTrue(Files.isDirectory(root.resolve("node/target/lib")), "needs a built node in " + root);
    Path data = Files.createTempDirectory("rootline-outage-it");
    int nativePort = freePort();
    int storagePort = freePort();
    List<String> base =
        List.of(
            "java", "-cp", root.resolve("node/target/classes") + ":" + root.resolve("node/target/lib") + "/*",
            "dev.rootline.persistence.CassandraMain");
    List<String> options =
        List.of(
            "--data", data.toString(), "--port", Integer.toString(nativePort),
            "--storage-port", Integer.toString(storagePort),
            "--lib", root.resolve("persistence/cassandra-server/target/lib").toString(), "--heap", "512M");
    CassandraOutage.Restart start = () -> startCassandra(base, options);
    InetSocketAddress cql = new InetSocketAddress("127.0.0.1", nativePort);
    List<Long> pids = new ArrayList<>();
    try {
      long first = start.start();
      pids.add(first);
      assertThat(CqlProbe.answers(cql, Duration.ofSeconds(5))).as("CQL after the first start").isTrue();

      CassandraOutage outage = new CassandraOutage(first, start, cql, Duration.ofMinutes(4), Duration.ofSeconds(1));
      outage.inject();
      outage.inject(); // already down: no-op
      assertThat(outage.down()).isTrue();
      assertThat(ProcessFaults.isRunning(first)).as("killed pid still running").isFalse();
      assertThat(CqlProbe.answers(cql, Duration.ofSeconds(1))).as("CQL while down").isFalse();

      outage.heal();
      pids.add(outage.pid());
      assertThat(outage.down()).isFalse();
      assertThat(outage.pid()).isNotEqualTo(first);
      assertThat(ProcessFaults.isRunning(outage.pid())).isTrue();
      assertThat(CqlProbe.answers(cql, Duration.ofSeconds(5))).as("CQL after heal").isTrue();
      System.out.println("Cassandra answered CQL " + outage.lastRecovery().toSeconds() + " s after the restart began");
      outage.heal(); // healing twice only re-checks CQL
    } finally {
      runQuietly(concat(base, List.of("stop"), options));
      for (long pid : pids) {
        ProcessFaults.kill9(pid);
      }
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long startCassandra(List<String> base, List<String> options) throws Exception {
    String output = Commands.run(Duration.ofMinutes(4), null, concat(base, List.of("start"), options));
    Matcher running = RUNNING.matcher(output);
    if (!running.find()) {
      throw new IllegalStateException("CassandraMain start printed no pid:\n" + output);
    }
    return Long.parseLong(running.group(1));
  }

  private static void runQuietly(List<String> command) {
    try {
      Commands.exec(Duration.ofMinutes(1), null, command);
    } catch (Exception e) {
      // cleanup continues with kill -9 by pid
    }
  }

  private static List<String> concat(List<String> a, List<String> b, List<String> c) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.addAll(c);
    return all;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
