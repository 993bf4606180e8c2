package dev.rootline.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.cassandra.CassandraLauncher;
import dev.rootline.persistence.cassandra.CassandraLauncherSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One real Cassandra per test JVM, shared by every IT that needs one (published in this module's
 * test-jar for the api and node ITs). Started on first use on free ports with its data under
 * {@code target/}, stopped by pid and its data deleted by a JVM shutdown hook.
 */
public final class TestCassandra {

  private static CassandraLauncher launcher;
  private static Path dataDir;

  private TestCassandra() {}

  /** The CQL address of the shared Cassandra, starting it on first use. */
  public static synchronized InetSocketAddress contactPoint() {
    if (launcher == null) {
      dataDir = Path.of("target", "test-cassandra-" + ProcessHandle.current().pid()).toAbsolutePath();
      CassandraLauncher started = new CassandraLauncher(settings(dataDir));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    started.close();
                    deleteRecursively(dataDir);
                  },
                  "test-cassandra-stop"));
      started.start();
      launcher = started;
    }
    return launcher.address();
  }

  /** {@code host:port} of the shared Cassandra, as the driver's contact-points want it. */
  public static String contactPointString() {
    InetSocketAddress address = contactPoint();
    return address.getHostString() + ":" + address.getPort();
  }

  /** A fresh keyspace name, so tests sharing the Cassandra never see each other's data. */
  public static String uniqueKeyspace(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /**
   * Overrides that point journal, snapshot store and read side at the shared Cassandra and the
   * given keyspace; put them in front of the test's other config. The events-by-tag first bucket
   * is an hour ago, so a projection from no offset does not scan every hour since January.
   */
  public static Config config(String keyspace) {
    String firstBucket =
        ZonedDateTime.now(ZoneOffset.UTC)
            .minusHours(1)
            .truncatedTo(ChronoUnit.HOURS)
            .format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm"));
    return ConfigFactory.parseString(
        String.join(
            "\n",
            "datastax-java-driver.basic.contact-points = [\"" + contactPointString() + "\"]",
            "datastax-java-driver.basic.load-balancing-policy.local-datacenter = datacenter1",
            "pekko.persistence.cassandra.journal.keyspace = " + keyspace,
            "pekko.persistence.cassandra.snapshot.keyspace = " + keyspace,
            "pekko.persistence.cassandra.events-by-tag.first-time-bucket = \"" + firstBucket + "\"",
            "rootline.persistence.read-side.keyspace = " + keyspace));
  }

  /** Launcher settings for a test Cassandra: free ports, data in the given directory. */
  public static CassandraLauncherSettings settings(Path dataDir) {
    int nativePort = freePort();
    int storagePort = freePort();
    while (storagePort == nativePort) {
      storagePort = freePort();
    }
    return CassandraLauncherSettings.create(ConfigFactory.load()).withDataDir(dataDir).withPorts(nativePort, storagePort);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e);
    }
  }
}
