package dev.rootline.bpf.bench;

import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureCounters;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import dev.rootline.bpf.TargetMode;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A rough measure of how many events per second a session drains and decodes, not a test:
 * targets a {@link TcpFlood} process (PIDS mode) and polls on the configured interval.
 *
 * <p>Two figures: live (poll every poll-interval while the load runs: events/s delivered and
 * the share of one core spent in poll) and backlog (load runs unpolled until it stops, then the
 * ring is drained flat out: the drain capacity).
 *
 * <p>Usage (as root, after {@code mvn -pl bpf test-compile}): {@code java -cp
 * target/classes:target/test-classes:<config jar> dev.rootline.bpf.bench.DrainThroughput
 * [seconds] [chunk-bytes]}
 */
public final class DrainThroughput {

  private DrainThroughput() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    String chunk = args.length > 1 ? args[1] : "128";
    CaptureSettings settings =
        CaptureSettings.create(ConfigFactory.load()).withTargetMode(TargetMode.PIDS);
    long[] events = new long[1];
    Consumer<CaptureEvent> count = e -> events[0]++;

    try (CaptureSession session = CaptureSession.open(settings)) {
      // live: poll on the interval while the load runs
      Process flood = flood(seconds, chunk);
      session.addTargetPid((int) flood.pid());
      long start = System.nanoTime();
      long inPoll = 0;
      while (flood.isAlive()) {
        long t = System.nanoTime();
        session.poll(count);
        inPoll += System.nanoTime() - t;
        Thread.sleep(settings.pollInterval().toMillis());
      }
      while (session.poll(count) > 0) {
        // the tail
      }
      long elapsed = System.nanoTime() - start;
      report("live", events[0], elapsed, inPoll, session.counters(), flood);

      // backlog: let the ring fill unpolled, then drain it flat out
      events[0] = 0;
      session.removeTargetPid((int) flood.pid());
      CaptureCounters before = session.counters();
      Process second = flood(Math.max(1, seconds / 2), chunk);
      session.addTargetPid((int) second.pid());
      second.waitFor(seconds + 30L, TimeUnit.SECONDS);
      long t = System.nanoTime();
      while (session.poll(count) > 0) {
        // flat out
      }
      long drain = System.nanoTime() - t;
      CaptureCounters after = session.counters();
      System.out.printf(
          "backlog: drained %d events in %.1f ms = %.2f M events/s (ring dropped %d while unpolled)%n",
          events[0], drain / 1e6, events[0] / (drain / 1e9) / 1e6,
          after.dropped() - before.dropped());
    }
  }

  private static Process flood(int seconds, String chunk) throws Exception {
    Path classes =
        Path.of(TcpFlood.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", classes.toString(), TcpFlood.class.getName(),
            Integer.toString(seconds), chunk)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static void report(
      String phase, long events, long elapsedNanos, long inPollNanos, CaptureCounters c, Process p)
      throws InterruptedException {
    p.waitFor();
    System.out.printf(
        "%s: %d events in %.1f s = %.0f events/s; poll busy %.1f%% of one core; %s%n",
        phase, events, elapsedNanos / 1e9, events / (elapsedNanos / 1e9),
        100.0 * inPollNanos / elapsedNanos, c);
  }
}
