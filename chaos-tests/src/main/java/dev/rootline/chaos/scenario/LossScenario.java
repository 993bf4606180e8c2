package dev.rootline.chaos.scenario;

import dev.rootline.chaos.faults.Fault;
import dev.rootline.chaos.faults.NftLoss;
import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.NodeJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code loss}: {@code percent}% random packet loss on every node host's traffic to the other
 * hosts (nftables {@code numgen random}, outbound only, so each packet crosses one lossy hook) for
 * {@code lasting}, then healed. Remoting, span delivery, the services' calls and Cassandra all see
 * it. (The 200 ms added latency needs the latency proxy in front of each node's Artery port;
 * not wired yet.)
 */
public final class LossScenario implements Scenario {
  private final String peersCidr;
  private final int percent;
  private final Duration lasting;

  public LossScenario(String peersCidr, int percent, Duration lasting) {
    this.peersCidr = peersCidr;
    this.percent = percent;
    this.lasting = lasting;
  }

  @Override
  public String name() {
    return "loss";
  }

  @Override
  public String description() {
    return percent + "% packet loss (outbound, every node host, to " + peersCidr + ") for "
        + lasting.toSeconds() + " s";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    List<Fault> faults = new ArrayList<>();
    long at = System.currentTimeMillis();
    try {
      for (NodeJvm n : lab.nodes()) {
        Fault f = new NftLoss(lab.netns().namespace(n.host()), peersCidr, percent, NftLoss.Direction.OUTBOUND);
        faults.add(f);
        f.inject();
      }
      progress.accept(percent + "% loss on " + faults.size() + " hosts for " + lasting.toSeconds() + " s");
      Thread.sleep(lasting.toMillis());
    } finally {
      for (Fault f : faults) {
        f.heal();
      }
    }
    progress.accept("loss healed");
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
