package dev.rootline.persistence.cassandra;

import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to run the local Cassandra: {@code rootline.persistence.cassandra} in reference.conf.
 *
 * @param dataDir data, commit log, logs, generated conf and the pid file
 * @param serverLib the Cassandra server classpath (a directory of jars)
 * @param listenAddress inter-node address (listen_address)
 * @param rpcAddress client address (rpc_address), where the CQL port listens
 * @param nativePort CQL port
 * @param storagePort inter-node port
 * @param clusterName cluster_name
 * @param heap -Xms/-Xmx value, e.g. "1G"
 * @param javaExecutable the java binary for the Cassandra JVM
 * @param extraJvmOptions appended after the standard options
 * @param startupTimeout how long to wait for the first CQL answer
 * @param progressInterval how often to report progress while waiting
 * @param stopTimeout how long to wait after SIGTERM before SIGKILL
 */
public record CassandraLauncherSettings(
    Path dataDir,
    Path serverLib,
    String listenAddress,
    String rpcAddress,
    int nativePort,
    int storagePort,
    String clusterName,
    String heap,
    Path javaExecutable,
    List<String> extraJvmOptions,
    Duration startupTimeout,
    Duration progressInterval,
    Duration stopTimeout) {

  /** Set by the parent pom for failsafe; the directory cassandra-server copies the jars to. */
  public static final String SERVER_LIB_PROPERTY = "rootline.cassandra.lib";

  /** Where the jars are when the working directory is the repository root. */
  public static final Path DEFAULT_SERVER_LIB = Path.of("persistence", "cassandra-server", "target", "lib");

  public CassandraLauncherSettings {
    extraJvmOptions = List.copyOf(extraJvmOptions);
    requirePort(nativePort, "native-port");
    requirePort(storagePort, "storage-port");
    if (nativePort == storagePort) {
      throw new IllegalArgumentException("native-port and storage-port must differ: " + nativePort);
    }
  }

  /** Reads {@code rootline.persistence.cassandra} from the (root) config. */
  public static CassandraLauncherSettings create(Config config) {
    Config c = config.getConfig("rootline.persistence.cassandra");
    String java = c.getString("java");
    return new CassandraLauncherSettings(
        Path.of(c.getString("data-dir")),
        serverLib(c.getString("server-lib"), System.getProperty(SERVER_LIB_PROPERTY)),
        c.getString("listen-address"),
        c.getString("rpc-address"),
        c.getInt("native-port"),
        c.getInt("storage-port"),
        c.getString("cluster-name"),
        c.getString("heap"),
        java.isBlank() ? currentJava() : Path.of(java),
        c.getStringList("extra-jvm-options"),
        c.getDuration("startup-timeout"),
        c.getDuration("progress-interval"),
        c.getDuration("stop-timeout"));
  }

  /** The configured value, else the system property, else the repository-relative default. */
  static Path serverLib(String configured, String systemProperty) {
    if (!configured.isBlank()) {
      return Path.of(configured);
    }
    if (systemProperty != null && !systemProperty.isBlank()) {
      return Path.of(systemProperty);
    }
    return DEFAULT_SERVER_LIB;
  }

  static Path currentJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** Where clients connect: the rpc address and the native port. */
  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(rpcAddress, nativePort);
  }

  public Path pidFile() {
    return dataDir.resolve("cassandra.pid");
  }

  public Path confDir() {
    return dataDir.resolve("conf");
  }

  public Path logDir() {
    return dataDir.resolve("logs");
  }

  public CassandraLauncherSettings withDataDir(Path dir) {
    return new CassandraLauncherSettings(
        dir, serverLib, listenAddress, rpcAddress, nativePort, storagePort, clusterName, heap,
        javaExecutable, extraJvmOptions, startupTimeout, progressInterval, stopTimeout);
  }

  public CassandraLauncherSettings withPorts(int native_, int storage) {
    return new CassandraLauncherSettings(
        dataDir, serverLib, listenAddress, rpcAddress, native_, storage, clusterName, heap,
        javaExecutable, extraJvmOptions, startupTimeout, progressInterval, stopTimeout);
  }

  public CassandraLauncherSettings withServerLib(Path lib) {
    return new CassandraLauncherSettings(
        dataDir, lib, listenAddress, rpcAddress, nativePort, storagePort, clusterName, heap,
        javaExecutable, extraJvmOptions, startupTimeout, progressInterval, stopTimeout);
  }

  public CassandraLauncherSettings withHeap(String newHeap) {
    return new CassandraLauncherSettings(
        dataDir, serverLib, listenAddress, rpcAddress, nativePort, storagePort, clusterName, newHeap,
        javaExecutable, extraJvmOptions, startupTimeout, progressInterval, stopTimeout);
  }

  private static void requirePort(int port, String name) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be 1..65535: " + port);
    }
  }
}
