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
 * hosts (nftables {@code numgen random}, outbound only, so each packet crosses one lossy hook) and
 * {@code latency} added each way on every proxied path, both for {@code lasting}, then healed.
 *
 * <p>The loss hits everything leaving a node host: remoting (cluster gossip, heartbeats, sharding,
 * span delivery), the nodes' CQL, the services' calls and their answers to the workload. The
 * latency comes from the lab's proxies ({@link ChaosLab#latency}), so it delays what passes them:
 * every Artery connection into a node (all inter-node messages, so all span batches shipped to
 * trace entities on another node and their confirmations) and every node's CQL to Cassandra (one
 * way = {@code latency}; a CQL round trip gains 2x). The services' HTTP calls and the harness's API
 * calls are not delayed. The CQL round trip through the proxy is measured before and during the
 * fault, so the report shows the delay was in force.
 */
public final class LossScenario implements Scenario {
  private final String peersCidr;
  private final int percent;
  private final Duration latency;
  private final Duration lasting;
  private volatile String measured = "";

  public LossScenario(String peersCidr, int percent, Duration latency, Duration lasting) {
    this.peersCidr = peersCidr;
    this.percent = percent;
    this.latency = latency;
    this.lasting = lasting;
  }

  @Override
  public String name() {
    return "loss";
  }

  @Override
  public String description() {
    return percent + "% packet loss (outbound, every node host, to " + peersCidr + ") and +"
        + latency.toMillis() + " ms each way on inter-node Artery and node-to-Cassandra CQL (latency proxies) for "
        + lasting.toSeconds() + " s" + measured;
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    List<Fault> faults = new ArrayList<>();
    long before = lab.cqlRoundTripThroughProxyMillis();
    long during = -1;
    long at = System.currentTimeMillis();
    try {
      Fault delay = lab.latency(latency);
      faults.add(delay);
      delay.inject();
      for (NodeJvm n : lab.nodes()) {
        Fault f = new NftLoss(lab.netns().namespace(n.host()), peersCidr, percent, NftLoss.Direction.OUTBOUND);
        faults.add(f);
        f.inject();
      }
      progress.accept(percent + "% loss on " + (faults.size() - 1) + " hosts and +" + latency.toMillis()
          + " ms on the proxies for " + lasting.toSeconds() + " s");
      during = lab.cqlRoundTripThroughProxyMillis();
      progress.accept("CQL round trip host 1 -> Cassandra through the proxy: " + before + " ms before, "
          + during + " ms during the fault");
      Thread.sleep(Math.max(0, at + lasting.toMillis() - System.currentTimeMillis()));
    } finally {
      for (Fault f : faults) {
        f.heal();
      }
    }
    progress.accept("loss and latency healed");
    measured = "; measured CQL round trip through the proxy: " + before + " ms before, " + during + " ms during";
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
