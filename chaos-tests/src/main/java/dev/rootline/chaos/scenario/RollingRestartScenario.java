package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.NodeJvm;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code rolling-restart}: every node in turn stopped with SIGTERM (it drains: decides and
 * persists what it holds, then leaves), started again, and waited for until the cluster has all
 * members Up before the next one goes.
 */
public final class RollingRestartScenario implements Scenario {
  private final Duration timeout;

  public RollingRestartScenario(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "rolling-restart";
  }

  @Override
  public String description() {
    return "every node in turn: SIGTERM, start again, wait for all members Up";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    long at = System.currentTimeMillis();
    for (NodeJvm node : lab.nodes()) {
      progress.accept("restarting " + node.name());
      if (!node.stop(Duration.ofSeconds(60))) {
        progress.accept(node.name() + " did not drain within 60 s: killed");
      }
      node.start();
      lab.awaitApi(node, timeout);
      long ms = lab.awaitHealthy(timeout);
      progress.accept(node.name() + " back, all members Up " + (ms < 0 ? "not within " + timeout.toSeconds() + " s" : "after " + ms + " ms"));
    }
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
