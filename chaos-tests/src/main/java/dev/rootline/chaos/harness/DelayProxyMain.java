package dev.rootline.chaos.harness;

import dev.rootline.chaos.faults.LatencyProxy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The latency proxies of one namespace host, as a process of their own started inside that host
 * ({@code DelayProxyMain CONTROL_FILE LISTEN_HOST:PORT=TARGET_HOST:PORT...}): the harness JVM lives
 * in the machine's own namespace and cannot listen on an address that exists only inside a host,
 * so each host runs its {@link LatencyProxy}s here.
 *
 * <p>The delay is switched through a file the harness writes ({@link ProxyDelay}): the file holds
 * the one-way delay in milliseconds (missing or empty: 0). It is read every {@link #POLL}; once a
 * new value is in force, it is written back to {@code CONTROL_FILE.applied}, so the harness knows
 * when the delay really applies. Every {@link #STATS_EVERY} the proxies' counters are logged
 * (connections accepted/open/failed, bytes). Runs until killed (SIGTERM: the proxies close).
 */
public final class DelayProxyMain {
  static final Duration POLL = Duration.ofMillis(100);
  static final Duration STATS_EVERY = Duration.ofSeconds(10);

  private DelayProxyMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: DelayProxyMain CONTROL_FILE LISTEN_HOST:PORT=TARGET_HOST:PORT...");
      System.exit(2);
    }
    Path control = Path.of(args[0]);
    List<LatencyProxy> proxies = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] pair = args[i].split("=", 2);
      if (pair.length != 2) {
        System.err.println("not LISTEN=TARGET: " + args[i]);
        System.exit(2);
      }
      LatencyProxy p = new LatencyProxy(address(pair[0]), address(pair[1]));
      proxies.add(p);
      log("listening on " + p.localAddress() + " -> " + p.target());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> proxies.forEach(LatencyProxy::close)));
    long applied = -1;
    long nextStats = 0;
    String lastStats = "";
    while (true) {
      long wanted = readMillis(control);
      if (wanted != applied) {
        for (LatencyProxy p : proxies) {
          p.setDelay(Duration.ofMillis(wanted));
        }
        applied = wanted;
        acknowledge(control, wanted);
        log("delay now " + wanted + " ms each way");
      }
      if (System.currentTimeMillis() >= nextStats) {
        nextStats = System.currentTimeMillis() + STATS_EVERY.toMillis();
        StringBuilder s = new StringBuilder();
        for (LatencyProxy p : proxies) {
          s.append(p.localAddress().getPort()).append(": accepted ").append(p.connectionsAccepted())
              .append(", open ").append(p.openConnections()).append(", failed ").append(p.connectionsFailed())
              .append(", bytes ").append(p.bytesForwarded()).append("; ");
        }
        if (!s.toString().equals(lastStats)) {
          lastStats = s.toString();
          log(lastStats);
        }
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** The delay the control file asks for; 0 when it is missing, empty or not a number. */
  static long readMillis(Path control) {
    try {
      String s = Files.readString(control).trim();
      return s.isEmpty() ? 0 : Math.max(0, Long.parseLong(s));
    } catch (IOException | NumberFormatException absentOrBad) {
      return 0;
    }
  }

  private static void acknowledge(Path control, long millis) throws IOException {
    Path ack = applied(control);
    Path tmp = ack.resolveSibling(ack.getFileName() + ".tmp");
    Files.writeString(tmp, Long.toString(millis));
    Files.move(tmp, ack, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static Path applied(Path control) {
    return control.resolveSibling(control.getFileName() + ".applied");
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("not HOST:PORT: " + hostPort);
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void log(String line) {
    System.out.println(Instant.now() + " " + line);
  }
}
