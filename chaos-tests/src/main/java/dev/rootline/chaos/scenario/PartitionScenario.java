package dev.rootline.chaos.scenario;

import dev.rootline.chaos.faults.Fault;
import dev.rootline.chaos.faults.NftPartition;
import dev.rootline.chaos.harness.ChaosLab;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code partition}: host 3 (node 3 and the cart service) cut off from the others for {@code cut}
 * (nftables drops every packet between it and the hosts' subnet, silently, both ways), then healed. The split brain resolver keeps the majority (hosts 1, 2) and downs
 * node 3, which exits; the runner starts it again after the heal. Checkouts that reach no cart in
 * the meantime fail with 502 at the frontend: they are must-retain requests as well.
 */
public final class PartitionScenario implements Scenario {
  private final int host;
  private final Duration cut;

  private final String peersCidr;

  public PartitionScenario(int host, String peersCidr, Duration cut) {
    this.host = host;
    this.peersCidr = peersCidr;
    this.cut = cut;
  }

  @Override
  public String name() {
    return "partition";
  }

  @Override
  public String description() {
    return "host " + host + " isolated (nftables drop to " + peersCidr + ") for " + cut.toSeconds() + " s, then healed";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    long at = System.currentTimeMillis();
    try (Fault partition = new NftPartition(lab.netns().namespace(host), peersCidr)) {
      progress.accept("isolating host " + host + " for " + cut.toSeconds() + " s");
      partition.inject();
      Thread.sleep(cut.toMillis());
      partition.heal();
    }
    progress.accept("host " + host + " healed");
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
