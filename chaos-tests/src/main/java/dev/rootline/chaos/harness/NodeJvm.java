package dev.rootline.chaos.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One Rootline node JVM inside namespace host i, started the way {@code ./rootline demo --hosts}
 * starts one ({@code java -cp node/target/classes:node/target/lib/* dev.rootline.node.Main run
 * --config FILE}, tracefs mounted in its own mount namespace), capturing only its own host
 * ({@code rootline.bpf.target-mode = netns}). Restartable: every incarnation's pid is kept, so
 * peak memory and spans shed add up over restarts. Stopped by pid only.
 */
public final class NodeJvm {
  public static final int CLUSTER_PORT = 25520;
  public static final int API_PORT = 8080;

  private final NetnsLab lab;
  private final int host;
  private final Path root;
  private final Path dir;
  private final String config;
  private final StartOverrides overrides;
  private final List<Long> pids = new ArrayList<>();
  private long pid = -1;
  private int incarnation;
  private long startedAtMillis;

  /** HOCON appended to the node's configuration at each start (asked anew every time). */
  public interface StartOverrides {
    String get() throws IOException, InterruptedException;
  }

  public NodeJvm(NetnsLab lab, int host, Path root, Path dir, String config, StartOverrides overrides) {
    this.lab = lab;
    this.host = host;
    this.root = root;
    this.dir = dir;
    this.config = config;
    this.overrides = overrides;
  }

  public int host() {
    return host;
  }

  public String name() {
    return "node-" + host;
  }

  public synchronized long pid() {
    return pid;
  }

  /** Every pid this node has had, oldest first. */
  public synchronized List<Long> pids() {
    return List.copyOf(pids);
  }

  public String address() throws IOException, InterruptedException {
    return lab.address(host);
  }

  /** The Pekko address other members see (pekko://rootline@ADDR:25520). */
  public String memberAddress() throws IOException, InterruptedException {
    return "pekko://rootline@" + address() + ":" + CLUSTER_PORT;
  }

  public String api() throws IOException, InterruptedException {
    return "http://" + address() + ":" + API_PORT + "/api/v1";
  }

  public Path log() {
    return dir.resolve(name() + "-" + incarnation + ".log");
  }

  /** The current incarnation's GC log. */
  public Path gcLog() {
    return dir.resolve(name() + "-" + incarnation + ".gc.log");
  }

  /** Starts a new incarnation (the previous one must be gone). */
  public synchronized void start() throws IOException, InterruptedException {
    if (pid > 0 && Commands.alive(pid)) {
      throw new IllegalStateException(name() + " still runs as pid " + pid);
    }
    Files.createDirectories(dir);
    Path conf = dir.resolve(name() + ".conf");
    // the API needs a token
    Files.writeString(conf, config + "\n" + HostHttp.TOKEN_CONFIG + "\n" + overrides.get() + "\n");
    incarnation++;
    String cp = root.resolve("node/target/classes") + ":" + root.resolve("node/target/lib") + "/*";
    // `ip netns exec` gives the node a fresh /sys without tracefs, which libbpf needs to attach
    // tracepoints: mount it there (in the node's own mount namespace; the machine's is untouched).
    pid =
        lab.run(
            host,
            log(),
            List.of(),
            List.of(
                "sh", "-c",
                "mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec \"$@\"",
                "sh",
                "java", "-Xms128m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                // The C1 compiler only: a starting node's C2 thread took 89 s of CPU in its first
                // 8 minutes (a third of the node's), and with three nodes, Cassandra and the load
                // on two cores, restarted nodes sent heartbeats 23 s late and the split brain
                // resolver downed the cluster. Three nodes on one small host is the lab's
                // density, not a deployment's; `./rootline node` keeps the JVM's default.
                "-XX:TieredStopAtLevel=1",
                // pauses next to the node's log: a stalled heartbeat is GC or CPU starvation
                "-Xlog:gc:file=" + gcLog() + ":uptime,time",
                "-cp", cp,
                "dev.rootline.node.Main", "run", "--config", conf.toString()));
    pids.add(pid);
    startedAtMillis = System.currentTimeMillis();
  }

  /** When the current incarnation was started (epoch millis). */
  public synchronized long startedAtMillis() {
    return startedAtMillis;
  }

  public boolean alive() {
    long p = pid();
    return p > 0 && Commands.alive(p);
  }

  /** SIGKILL: a crash; nothing drained. */
  public void kill9() throws InterruptedException {
    long p = pid();
    Commands.signal(p, "KILL");
    Commands.awaitExit(p, Duration.ofSeconds(30));
  }

  public boolean pause() throws InterruptedException {
    return Commands.signal(pid(), "STOP");
  }

  public boolean resume() throws InterruptedException {
    return Commands.signal(pid(), "CONT");
  }

  /** SIGTERM (the node drains and leaves), SIGKILL after {@code timeout}; true if it drained. */
  public boolean stop(Duration timeout) throws InterruptedException {
    long p = pid();
    if (p <= 0 || !Commands.alive(p)) {
      return true;
    }
    Commands.signal(p, "CONT"); // a paused JVM cannot act on SIGTERM
    Commands.signal(p, "TERM");
    if (Commands.awaitExit(p, timeout)) {
      return true;
    }
    Commands.signal(p, "KILL");
    Commands.awaitExit(p, Duration.ofSeconds(30));
    return false;
  }

  /** Peak resident memory of one pid in MiB (VmHWM), or -1 once it is gone. */
  public static long peakRssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException gone) {
      // exited
    }
    return -1;
  }

  /** The last lines of the current incarnation's log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
