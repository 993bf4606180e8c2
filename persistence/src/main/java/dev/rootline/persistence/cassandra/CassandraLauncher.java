package dev.rootline.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, finds and stops a local single-node Cassandra running in a JVM of its own (its netty,
 * jackson and slf4j clash with Pekko's, so it never shares the node's classpath).
 *
 * <p>The process is tracked by a pid file in the data directory, so a restarted node (or {@code
 * CassandraMain stop}) finds the Cassandra an earlier one started. {@link #close()} stops only a
 * process this launcher started itself.
 */
public final class CassandraLauncher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CassandraLauncher.class);
  private static final String LOCAL_DATACENTER = "datacenter1";
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final int LOG_TAIL_LINES = 40;

  /** What the pid file and the CQL port say about the configured Cassandra. */
  public record Status(OptionalLong pid, boolean alive, Optional<String> releaseVersion) {
    public boolean answersCql() {
      return releaseVersion.isPresent();
    }
  }

  private final CassandraLauncherSettings settings;
  private final Consumer<String> progress;
  private Long ownedPid;

  public CassandraLauncher(CassandraLauncherSettings settings) {
    this(settings, log::info);
  }

  /** @param progress receives the start-up progress lines (the log by default) */
  public CassandraLauncher(CassandraLauncherSettings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  public CassandraLauncherSettings settings() {
    return settings;
  }

  /** True when {@link #close()} will stop the process: this launcher started it. */
  public synchronized boolean startedHere() {
    return ownedPid != null;
  }

  /**
   * Reuses the Cassandra named by the pid file when it is alive and answers CQL on the configured
   * port (waiting for it if it is still starting), else starts a new one.
   *
   * @return the pid of the Cassandra JVM
   */
  public synchronized long attachOrStart() {
    OptionalLong recorded = readPid();
    if (recorded.isPresent() && isCassandra(recorded.getAsLong())) {
      long pid = recorded.getAsLong();
      progress.accept("found Cassandra pid " + pid + " from " + settings.pidFile() + ", checking CQL on " + where());
      awaitCql(ProcessHandle.of(pid).orElseThrow(), false);
      progress.accept("reusing Cassandra pid " + pid + " on " + where());
      return pid;
    }
    return start();
  }

  /**
   * Starts a new Cassandra and waits until it answers CQL.
   *
   * @return the pid of the Cassandra JVM
   * @throws CassandraLaunchException when one is already running from this data directory, the
   *     port is taken, the server classpath is missing, or it does not answer in time
   */
  public synchronized long start() {
    OptionalLong recorded = readPid();
    if (recorded.isPresent() && isCassandra(recorded.getAsLong())) {
      throw new CassandraLaunchException(
          "Cassandra already running from " + settings.dataDir() + " (pid " + recorded.getAsLong() + ")");
    }
    requireServerLib();
    if (CqlProbe.isListening(address(), Duration.ofMillis(500))) {
      throw new CassandraLaunchException(
          where() + " is already in use by another process: stop it, or set"
              + " rootline.persistence.cassandra.native-port (or use that Cassandra as contact point)");
    }
    CassandraConfFiles.write(settings);
    Path stdout = settings.logDir().resolve("stdout.log");
    ProcessBuilder builder =
        new ProcessBuilder(CassandraCommand.command(settings))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new CassandraLaunchException("cannot start " + settings.javaExecutable() + ": " + e.getMessage(), e);
    }
    long pid = process.pid();
    ownedPid = pid;
    writePid(pid);
    progress.accept(
        "started Cassandra pid " + pid + " (data " + settings.dataDir().toAbsolutePath().normalize()
            + ", heap " + settings.heap() + "), waiting for CQL on " + where());
    try {
      awaitCql(process.toHandle(), true);
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
    return pid;
  }

  /**
   * Stops the Cassandra named by the pid file (or started here): SIGTERM, wait up to the stop
   * timeout, then SIGKILL. Does nothing when none is running.
   *
   * @return true when a process was stopped
   */
  public synchronized boolean stop() {
    OptionalLong pid = ownedPid != null ? OptionalLong.of(ownedPid) : readPid();
    ownedPid = null;
    if (pid.isEmpty()) {
      return false;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive);
    boolean stopped = false;
    if (handle.isPresent() && isCassandra(pid.getAsLong())) {
      terminate(handle.get());
      stopped = true;
    }
    deletePidFile(pid.getAsLong());
    return stopped;
  }

  public Status status() {
    OptionalLong pid = readPid();
    boolean alive = pid.isPresent() && isCassandra(pid.getAsLong());
    Optional<String> version =
        CqlProbe.isListening(address(), Duration.ofMillis(500))
            ? CqlProbe.releaseVersion(address(), LOCAL_DATACENTER, PROBE_TIMEOUT)
            : Optional.empty();
    return new Status(pid, alive, version);
  }

  private String where() {
    return settings.rpcAddress() + ":" + settings.nativePort();
  }

  /** The Cassandra's CQL address. */
  public java.net.InetSocketAddress address() {
    return settings.contactPoint();
  }

  /** Stops the Cassandra only when this launcher started it; an attached one keeps running. */
  @Override
  public synchronized void close() {
    if (ownedPid != null) {
      stop();
    }
  }

  private void awaitCql(ProcessHandle process, boolean startedHere) {
    long startNanos = System.nanoTime();
    long deadline = startNanos + settings.startupTimeout().toNanos();
    long nextProgress = startNanos + settings.progressInterval().toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new CassandraLaunchException(
            "Cassandra pid " + process.pid() + " exited before answering CQL on " + where() + logTail());
      }
      if (CqlProbe.isListening(address(), Duration.ofMillis(500))) {
        Optional<String> version = CqlProbe.releaseVersion(address(), LOCAL_DATACENTER, PROBE_TIMEOUT);
        if (version.isPresent()) {
          long seconds = Duration.ofNanos(System.nanoTime() - startNanos).toSeconds();
          progress.accept(
              "Cassandra " + version.get() + " answers CQL on " + where() + " (pid " + process.pid()
                  + (startedHere ? ", ready after " + seconds + " s)" : ")"));
          return;
        }
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        throw new CassandraLaunchException(
            "Cassandra pid " + process.pid() + " did not answer CQL on " + where() + " within "
                + settings.startupTimeout().toSeconds() + " s" + logTail());
      }
      if (now >= nextProgress) {
        progress.accept(
            "waiting for Cassandra on " + settings.rpcAddress() + ":" + settings.nativePort() + " ("
                + Duration.ofNanos(now - startNanos).toSeconds() + " s)…");
        nextProgress = now + settings.progressInterval().toNanos();
      }
      sleep(POLL);
    }
  }

  private void terminate(ProcessHandle handle) {
    long pid = handle.pid();
    progress.accept("stopping Cassandra pid " + pid + " (SIGTERM)");
    handle.destroy();
    try {
      handle.onExit().get(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
      progress.accept("Cassandra pid " + pid + " stopped");
    } catch (TimeoutException e) {
      progress.accept(
          "Cassandra pid " + pid + " still running " + settings.stopTimeout().toSeconds() + " s after SIGTERM, SIGKILL");
      handle.destroyForcibly();
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException again) {
        throw new CassandraLaunchException("Cassandra pid " + pid + " did not exit after SIGKILL", again);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handle.destroyForcibly();
    } catch (ExecutionException e) {
      throw new CassandraLaunchException("waiting for Cassandra pid " + pid + " failed", e);
    }
  }

  /**
   * A live process running CassandraDaemon. The command line check keeps a stale pid file from
   * making us signal an unrelated process that reused the pid.
   */
  private static boolean isCassandra(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .map(h -> h.info().commandLine().map(cl -> cl.contains(CassandraCommand.MAIN_CLASS)).orElse(false))
        .orElse(false);
  }

  private void requireServerLib() {
    Path lib = settings.serverLib();
    boolean hasJars;
    try (Stream<Path> files = Files.isDirectory(lib) ? Files.list(lib) : Stream.empty()) {
      hasJars = files.anyMatch(p -> p.getFileName().toString().startsWith("cassandra-all-"));
    } catch (IOException e) {
      hasJars = false;
    }
    if (!hasJars) {
      throw new CassandraLaunchException(
          "no Cassandra server classpath in " + lib.toAbsolutePath().normalize()
              + ": run mvn package first (mvn -B -q -f persistence/cassandra-server/pom.xml package),"
              + " or set rootline.persistence.cassandra.server-lib");
    }
  }

  private OptionalLong readPid() {
    Path file = settings.pidFile();
    if (!Files.isRegularFile(file)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      log.warn("ignoring unreadable pid file {}: {}", file, e.toString());
      return OptionalLong.empty();
    }
  }

  private void writePid(long pid) {
    try {
      Files.writeString(settings.pidFile(), pid + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + settings.pidFile(), e);
    }
  }

  private void deletePidFile(long pid) {
    // Only our own pid: another launcher may have started a new Cassandra meanwhile.
    if (readPid().equals(OptionalLong.of(pid))) {
      try {
        Files.deleteIfExists(settings.pidFile());
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", settings.pidFile(), e.toString());
      }
    }
  }

  /** The last lines of Cassandra's log and its stdout, for the error message. */
  String logTail() {
    StringBuilder out = new StringBuilder();
    for (Path file : List.of(settings.logDir().resolve("system.log"), settings.logDir().resolve("stdout.log"))) {
      List<String> lines = tail(file, LOG_TAIL_LINES);
      if (!lines.isEmpty()) {
        out.append("\n--- last lines of ").append(file).append(" ---\n").append(String.join("\n", lines));
      }
    }
    return out.length() == 0 ? " (no log written in " + settings.logDir() + ")" : out.toString();
  }

  static List<String> tail(Path file, int n) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return List.of("(cannot read " + file + ": " + e + ")");
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CassandraLaunchException("interrupted while waiting for Cassandra", e);
    }
  }
}
