package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code partition}: host 3 (node 3 and the cart service) cut off from the others for {@code cut}
 * (its link down), then healed. The split brain resolver keeps the majority (hosts 1, 2) and downs
 * node 3, which exits; the runner starts it again after the heal. Checkouts that reach no cart in
 * the meantime fail with 502 at the frontend: they are must-retain requests as well.
 */
public final class PartitionScenario implements Scenario {
  private final int host;
  private final Duration cut;

  public PartitionScenario(int host, Duration cut) {
    this.host = host;
    this.cut = cut;
  }

  @Override
  public String name() {
    return "partition";
  }

  @Override
  public String description() {
    return "host " + host + " isolated (link down) for " + cut.toSeconds() + " s, then healed";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    long at = System.currentTimeMillis();
    try (LinkDown link = new LinkDown(lab.netns(), host)) {
      progress.accept("isolating host " + host + " for " + cut.toSeconds() + " s");
      link.inject();
      Thread.sleep(cut.toMillis());
      link.heal();
    }
    progress.accept("host " + host + " healed");
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
