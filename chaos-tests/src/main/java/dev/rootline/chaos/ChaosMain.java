package dev.rootline.chaos;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.report.ChaosReport;
import dev.rootline.chaos.report.ScenarioResult;
import dev.rootline.chaos.scenario.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code ./rootline chaos --scenario NAME|all [--hosts N]}: runs the scenarios on one lab (N
 * namespace hosts with a node each, Cassandra and the workload in one more), prints the table,
 * writes it with the command and the date into {@code docs/CHAOS.md}, and exits 1 when an
 * invariant broke (0: all held; 2: usage; 3: the harness itself failed).
 */
public final class ChaosMain {
  private ChaosMain() {}

  public static void main(String[] args) {
    String which = null;
    int hosts = 3;
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scenario" -> which = i + 1 < args.length ? args[++i] : null;
        case "--hosts" -> hosts = i + 1 < args.length && args[i + 1].matches("[0-9]{1,2}") ? Integer.parseInt(args[++i]) : -1;
        case "--threads" -> threads = i + 1 < args.length && args[i + 1].matches("[0-9]{1,2}") ? Integer.parseInt(args[++i]) : -1;
        default -> usage("unknown argument '" + args[i] + "'");
      }
    }
    Map<String, Scenario> all = Scenarios.all();
    if (which == null) {
      usage("--scenario is required");
    }
    if (hosts < 3 || hosts > 9) {
      usage("--hosts takes a number from 3 to 9");
    }
    if (threads < 1 || threads > 16) {
      usage("--threads takes a number from 1 to 16");
    }
    List<Scenario> chosen = new ArrayList<>();
    if (which.equals("all")) {
      chosen.addAll(all.values());
    } else {
      for (String name : which.split(",")) {
        Scenario s = all.get(name);
        if (s == null) {
          usage("no scenario '" + name + "'; known: " + String.join(", ", all.keySet()) + ", all");
        }
        chosen.add(s);
      }
    }
    Path root = Path.of(System.getProperty("rootline.root", ".")).toAbsolutePath().normalize();
    String command = System.getProperty("rootline.chaos.command", "./rootline chaos " + String.join(" ", args));
    Consumer<String> progress =
        line -> System.out.println("[chaos " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
    System.exit(run(root, Run.standard(root, hosts, threads), chosen, command, progress));
  }

  /**
   * Where and how a harness run happens: the lab's run name and subnet (two labs with different
   * ones never touch each other), node hosts, log directory, the runner's timings, and the file
   * whose table block is rewritten.
   */
  record Run(String name, int subnet, int hosts, Path dir, ScenarioRunner.Settings settings, Path report) {
    /**
     * {@code ./rootline chaos}: run "chaos", logs in .rootline/chaos, table into docs/CHAOS.md;
     * {@code threads} checkout threads of load.
     */
    static Run standard(Path root, int hosts, int threads) {
      return new Run("chaos", ChaosLab.SUBNET, hosts, root.resolve(".rootline/chaos"),
          ScenarioRunner.Settings.defaults().withLoadThreads(threads), root.resolve("docs/CHAOS.md"));
    }
  }

  static int run(Path root, int hosts, List<Scenario> scenarios, String command, Consumer<String> progress) {
    return run(root, Run.standard(root, hosts, ScenarioRunner.Settings.defaults().loadThreads()), scenarios, command, progress);
  }

  static int run(Path root, Run how, List<Scenario> scenarios, String command, Consumer<String> progress) {
    List<ScenarioResult> results = runAll(root, how, scenarios, command, progress);
    if (results.isEmpty()) {
      return 3;
    }
    return results.stream().allMatch(ScenarioResult::passed) ? 0 : 1;
  }

  /**
   * Runs the scenarios on one lab, prints and writes the table; the results (a scenario that
   * could not run is a result with that violation), empty when the lab itself did not start.
   */
  static List<ScenarioResult> runAll(Path root, Run how, List<Scenario> scenarios, String command, Consumer<String> progress) {
    List<ScenarioResult> results = new ArrayList<>();
    Path dir = how.dir();
    int hosts = how.hosts();
    try (ChaosLab lab = ChaosLab.start(root, dir, how.name(), how.subnet(), hosts, progress)) {
      Thread onSignal = new Thread(() -> {
        try {
          lab.close();
        } catch (Exception e) {
          System.err.println("cleanup on exit failed: " + e);
        }
      }, "chaos-cleanup");
      Runtime.getRuntime().addShutdownHook(onSignal);
      ScenarioRunner runner = new ScenarioRunner(lab, how.settings(), progress);
      for (Scenario s : scenarios) {
        try {
          ScenarioResult r = runner.run(s);
          results.add(r);
          progress.accept(s.name() + ": " + (r.passed() ? "invariants held" : "BROKEN: " + String.join("; ", r.violations())));
          if (!r.passed()) {
            System.out.println(r.details());
          }
          if (results.size() < scenarios.size()) {
            // the table so far, so a long run stopped half way still leaves what it measured
            writeReport(how, command + " (in progress: " + results.size() + " of " + scenarios.size() + " scenarios)",
                results, hosts, progress);
          }
        } catch (Exception e) {
          progress.accept(s.name() + ": the scenario could not run: " + e);
          String firstLine = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
          results.add(new ScenarioResult(s.name(), s.description(), 0, 0, 0, 0, 0, 0, -1, -1, Map.of(), 0,
              List.of("the scenario could not run: " + e.getClass().getSimpleName() + ": " + firstLine), ""));
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      } catch (IllegalStateException shuttingDown) {
        // already exiting
      }
    } catch (Exception e) {
      System.err.println("[chaos] the harness failed: " + e);
      e.printStackTrace();
      if (results.isEmpty()) {
        return results;
      }
    }
    String table = ChaosReport.table(results);
    System.out.println();
    System.out.println(table);
    writeReport(how, command, results, hosts, progress);
    progress.accept("logs in " + dir);
    return results;
  }

  private static void writeReport(Run how, String command, List<ScenarioResult> results, int hosts, Consumer<String> progress) {
    try {
      String machine = Runtime.getRuntime().availableProcessors() + " cores, " + hosts + " node hosts + 1 client host, load average "
          + String.format("%.0f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
          + " at the end";
      ChaosReport.write(how.report(), ChaosReport.block(command, results, machine));
      progress.accept("table written to " + how.report());
    } catch (Exception e) {
      System.err.println("[chaos] could not write " + how.report() + ": " + e);
    }
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println("usage: ./rootline chaos --scenario NAME[,NAME...]|all [--hosts N] [--threads N]   (scenarios: "
        + String.join(", ", Scenarios.all().keySet()) + ")");
    System.exit(2);
  }
}
