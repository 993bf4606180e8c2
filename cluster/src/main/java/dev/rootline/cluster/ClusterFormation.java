package dev.rootline.cluster;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/** Joins the cluster: the configured seed nodes, or itself when there are none. */
public final class ClusterFormation {
  private ClusterFormation() {}

  /**
   * Starts joining (the configured seed nodes, or itself without any) and completes when this
   * member is Up, or fails after {@code timeout}. Call it once the node's sharding regions are
   * started (see {@link PekkoClusterConfig#apply}).
   */
  public static CompletionStage<Void> join(
      ActorSystem<?> system, ClusterSettings settings, Duration timeout) {
    Cluster cluster = Cluster.get(system);
    if (settings.seedNodes().isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      cluster.manager().tell(new JoinSeedNodes(PekkoClusterConfig.seedAddresses(settings)));
    }
    CompletableFuture<Void> up = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Runnable check =
        new Runnable() {
          @Override
          public void run() {
            if (cluster.selfMember().status() == MemberStatus.up()) {
              up.complete(null);
            } else if (System.nanoTime() > deadline) {
              up.completeExceptionally(
                  new IllegalStateException(
                      "this node did not become Up within "
                          + timeout.toSeconds()
                          + " s; seed nodes "
                          + settings.seedNodes()
                          + " reachable?"));
            } else {
              system.scheduler().scheduleOnce(Duration.ofMillis(100), this, system.executionContext());
            }
          }
        };
    check.run();
    return up;
  }
}
