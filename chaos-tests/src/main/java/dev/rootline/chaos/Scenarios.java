package dev.rootline.chaos;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.scenario.CassandraScenario;
import dev.rootline.chaos.scenario.Kill9Scenario;
import dev.rootline.chaos.scenario.LossScenario;
import dev.rootline.chaos.scenario.PartitionScenario;
import dev.rootline.chaos.scenario.PauseScenario;
import dev.rootline.chaos.scenario.RollingRestartScenario;
import dev.rootline.chaos.scenario.Scenario;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The scenarios by name, in the order {@code --scenario all} runs them. */
final class Scenarios {
  private Scenarios() {}

  static Map<String, Scenario> all() {
    Map<String, Scenario> out = new LinkedHashMap<>();
    // The rolling restart last: the longest (three drains of up to ~2.5 min each).
    add(out, new CassandraScenario(Duration.ofSeconds(30)));
    add(out, new LossScenario(ChaosLab.SUBNET_CIDR, 20, Duration.ofMillis(200), Duration.ofSeconds(60)));
    add(out, new Kill9Scenario(2, Duration.ofSeconds(20)));
    add(out, new PauseScenario(2, Duration.ofSeconds(20)));
    add(out, new PartitionScenario(3, ChaosLab.SUBNET_CIDR, Duration.ofSeconds(30)));
    add(out, new RollingRestartScenario(Duration.ofSeconds(180)));
    return out;
  }

  /** The short profile of {@code ./rootline test}: kill -9 of node-2, dead 15 s. */
  static Scenario shortProfile() {
    return new Kill9Scenario(2, Duration.ofSeconds(15));
  }

  private static void add(Map<String, Scenario> into, Scenario s) {
    into.put(s.name(), s);
  }
}
