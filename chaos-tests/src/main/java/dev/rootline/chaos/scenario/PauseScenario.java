package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.NodeJvm;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code pause}: SIGSTOP of node 2 for {@code paused} (a long GC pause, a frozen VM), then
 * SIGCONT. Longer than the split brain resolver's stable-after, so the majority downs it; on
 * resuming it finds itself downed and exits, and the runner starts it again.
 */
public final class PauseScenario implements Scenario {
  private final int host;
  private final Duration paused;

  public PauseScenario(int host, Duration paused) {
    this.host = host;
    this.paused = paused;
  }

  @Override
  public String name() {
    return "pause";
  }

  @Override
  public String description() {
    return "SIGSTOP of node-" + host + " for " + paused.toSeconds() + " s, then SIGCONT";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    NodeJvm node = lab.node(host);
    long at = System.currentTimeMillis();
    progress.accept("SIGSTOP " + node.name() + " (pid " + node.pid() + ") for " + paused.toSeconds() + " s");
    try {
      node.pause();
      Thread.sleep(paused.toMillis());
    } finally {
      node.resume();
    }
    progress.accept("SIGCONT " + node.name());
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
