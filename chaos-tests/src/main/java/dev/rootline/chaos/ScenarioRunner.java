package dev.rootline.chaos;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.Commands;
import dev.rootline.chaos.harness.NodeMonitor;
import dev.rootline.chaos.harness.RetainedTraces;
import dev.rootline.chaos.report.Invariants;
import dev.rootline.chaos.report.ScenarioResult;
import dev.rootline.chaos.scenario.Scenario;
import dev.rootline.chaos.workload.CheckoutWorkload;
import dev.rootline.chaos.workload.GroundTruth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs one scenario the same way every time: fresh nodes (all Up), the workload in the client
 * host, {@code warmup} of load, the fault, every member brought back (a downed node started
 * again), {@code settle} more load, the workload stopped, then every must-retain request looked
 * up among the retained traces. Nodes and workload are stopped by pid in a finally.
 */
public final class ScenarioRunner {
  private final ChaosLab lab;
  private final Consumer<String> progress;
  private final Settings settings;

  /** Timings of a run (defaults in {@link #defaults()}). */
  public record Settings(
      Duration warmup, Duration settle, Duration startTimeout, Duration rejoin,
      Duration healthyTimeout, Duration retainedStalled, Duration retainedCap, int loadThreads,
      Duration loadPause) {
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofSeconds(240),
          Duration.ofSeconds(150), Duration.ofSeconds(300), Duration.ofSeconds(90), Duration.ofMinutes(15), 1,
          Duration.ofMillis(100));
    }

    /**
     * These timings with {@code threads} checkout threads. One (the default) keeps a two-core
     * machine, which runs every node, Cassandra, the proxies and the services, below saturation:
     * with two, seen at load 22-24, Cassandra writes took over 10 s, the nodes' heartbeats were
     * late and the API's event loop stalled for seconds, so a drain outlasted any sane limit.
     */
    public Settings withLoadThreads(int threads) {
      return new Settings(
          warmup, settle, startTimeout, rejoin, healthyTimeout, retainedStalled, retainedCap, threads, loadPause);
    }

    /**
     * The short profile of {@code ./rootline test}: one load thread, less warm-up and settle load,
     * and a shorter wait for late traces (a must-retain request not found 120 s after the last one
     * was, or 4 min after the load ended, counts as lost). 60 s failed CI once and nearly failed
     * here: one trace of the killed node's shards, persisted after retries, listed ~60 s after the
     * others (crash detection takes ~5 s longer with the 8 s heartbeat pause).
     */
    public static Settings shortProfile() {
      return new Settings(
          Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(240),
          Duration.ofSeconds(150), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofMinutes(4), 1,
          Duration.ofMillis(100));
    }
  }

  public ScenarioRunner(ChaosLab lab, Settings settings, Consumer<String> progress) {
    this.lab = lab;
    this.settings = settings;
    this.progress = progress;
  }

  public ScenarioResult run(Scenario scenario) throws Exception {
    progress.accept("=== scenario " + scenario.name() + ": " + scenario.description());
    Path truthLog = lab.dir().resolve(scenario.name()).resolve("ground-truth.log");
    Files.createDirectories(truthLog.getParent());
    Files.deleteIfExists(truthLog);
    lab.startNodes(scenario.name(), settings.startTimeout());
    long workload = -1;
    NodeMonitor monitor = new NodeMonitor(lab);
    try {
      long loadStart = System.currentTimeMillis();
      workload = startWorkload(truthLog);
      progress.accept("load on (" + settings.loadThreads() + " threads); warming up " + settings.warmup().toSeconds() + " s");
      Thread.sleep(settings.warmup().toMillis());

      long faultFrom = System.currentTimeMillis();
      Scenario.FaultWindow window;
      long healthyAfter = -1;
      String failure = null;
      try {
        window = scenario.apply(lab, progress);
        progress.accept("fault healed; bringing every member back");
        long healthyAt = lab.restoreMembers(settings.rejoin(), settings.healthyTimeout());
        healthyAfter = healthyAt < 0 ? -1 : healthyAt - window.healedAtMillis();
        progress.accept(healthyAt < 0
            ? "the cluster is not healthy " + settings.healthyTimeout().toSeconds() + " s after the heal"
            : "all members Up " + healthyAfter + " ms after the heal");
        progress.accept("load goes on for " + settings.settle().toSeconds() + " s");
        Thread.sleep(settings.settle().toMillis());
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (lab.closing()) {
          throw e; // stopped by a signal: nothing left to count
        }
        // What was sent until here is still counted and looked up: a scenario that broke the
        // cluster must show what it lost, not a row of zeros.
        window = new Scenario.FaultWindow(faultFrom, System.currentTimeMillis());
        failure = "the scenario could not run: " + e.getClass().getSimpleName() + ": "
            + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        progress.accept(scenario.name() + ": " + failure + "; counting what the load sent so far");
      }
      stopWorkload(workload);
      workload = -1;
      long loadEnd = System.currentTimeMillis();

      GroundTruth truth = GroundTruth.read(truthLog);
      List<GroundTruth.Request> must = truth.mustRetain();
      Set<String> ids = new HashSet<>();
      must.forEach(r -> ids.add(r.traceId()));
      progress.accept(truth.requests().size() + " requests sent, " + must.size() + " must be retained; looking them up");
      RetainedTraces listing = new RetainedTraces(lab);
      // After a failed scenario the cluster may never answer: wait for late traces, but not the
      // full cap for a listing that stays empty.
      Duration cap = failure == null ? settings.retainedCap() : min(settings.retainedCap(), settings.retainedStalled().multipliedBy(3));
      Map<String, Integer> retained =
          listing.await(ids, loadStart - 60_000, settings.retainedStalled(), cap, progress);
      long retainedAfter = System.currentTimeMillis() - loadEnd;
      monitor.sample();

      long once = 0;
      long dup = 0;
      List<GroundTruth.Request> lost = new ArrayList<>();
      for (GroundTruth.Request r : must) {
        int n = retained.getOrDefault(r.traceId(), 0);
        if (n == 0) {
          lost.add(r);
        } else if (n == 1) {
          once++;
        } else {
          dup++;
        }
      }
      long shed = monitor.spansShed();
      List<String> broken = new ArrayList<>();
      if (failure != null) {
        broken.add(failure);
      }
      broken.addAll(Invariants.check(truth.requests().size(), must.size(), lost.size(), dup, healthyAfter));
      String details = details(scenario, window, loadStart, lost, retained, must, listing);
      return new ScenarioResult(
          scenario.name(), scenario.description(), truth.requests().size(), truth.unanswered(),
          must.size(), once, lost.size(), dup, healthyAfter, retainedAfter, monitor.peakRssMib(), shed, broken, details);
    } finally {
      monitor.close();
      if (workload > 0) {
        stopWorkload(workload);
      }
      progress.accept("stopping the nodes of " + scenario.name());
      lab.stopNodes();
    }
  }

  private long startWorkload(Path truthLog) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return lab.netns().run(
        lab.clientHost(),
        truthLog.resolveSibling("workload.log"),
        List.of(),
        List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
            CheckoutWorkload.class.getName(), lab.frontendUrl(),
            Integer.toString(settings.loadThreads()), Long.toString(settings.loadPause().toMillis()),
            truthLog.toString()));
  }

  private static void stopWorkload(long pid) throws InterruptedException {
    Commands.signal(pid, "TERM");
    if (!Commands.awaitExit(pid, Duration.ofSeconds(40))) {
      Commands.signal(pid, "KILL");
      Commands.awaitExit(pid, Duration.ofSeconds(10));
    }
  }

  /** Lost requests placed on the fault's timeline, for the failure report. */
  private static String details(
      Scenario scenario, Scenario.FaultWindow w, long loadStart, List<GroundTruth.Request> lost,
      Map<String, Integer> retained, List<GroundTruth.Request> must, RetainedTraces listing) {
    StringBuilder s = new StringBuilder();
    s.append("fault ").append(scenario.name()).append(": injected ")
        .append((w.injectedAtMillis() - loadStart) / 1000.0).append(" s after the load began, healed ")
        .append((w.healedAtMillis() - loadStart) / 1000.0).append(" s after\n");
    int shown = 0;
    for (GroundTruth.Request r : lost) {
      if (shown++ == 20) {
        s.append("  ... and ").append(lost.size() - 20).append(" more\n");
        break;
      }
      String when = r.sentAtMillis() < w.injectedAtMillis() ? "before the fault"
          : r.sentAtMillis() <= w.healedAtMillis() ? "during the fault" : "after the heal";
      s.append("  lost ").append(r.traceId()).append(" status ").append(r.status())
          .append(" sent ").append(Instant.ofEpochMilli(r.sentAtMillis())).append(" (").append(when).append(")\n");
    }
    for (GroundTruth.Request r : must) {
      Integer n = retained.get(r.traceId());
      if (n != null && n > 1) {
        s.append("  duplicated ").append(r.traceId()).append(" (sent ").append(Instant.ofEpochMilli(r.sentAtMillis()))
            .append(") retained ").append(n).append(" times: ").append(String.join("; ", listing.decisions(r.traceId())))
            .append('\n');
      }
    }
    return s.toString();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
