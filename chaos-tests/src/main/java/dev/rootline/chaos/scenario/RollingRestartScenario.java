package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.NodeJvm;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code rolling-restart}: every node in turn stopped with SIGTERM (it drains: decides and
 * persists what it holds, then leaves), started again, and waited for until the cluster has all
 * members Up and has caught up (every node's shipped spans confirmed down to a steady load's
 * level) before the next one goes.
 */
public final class RollingRestartScenario implements Scenario {
  /**
   * How long a node may take to drain and leave before it is killed: above its own stop steps
   * (capture, span delivery, trace entities: {@code rootline.node.drain-timeout} = 60 s each at
   * most, then coordinated shutdown). Seen at load 22 (three nodes, Cassandra and the load on
   * two cores): a drain over 60 s.
   */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(240);

  /**
   * Spans a node may have shipped and not yet seen confirmed for the cluster to count as caught
   * up; steady load keeps a few hundred. A restarted node's catch-up is tens of thousands.
   */
  private static final long CAUGHT_UP_UNCONFIRMED = 1000;

  /**
   * How long to wait for the catch-up before the next node goes anyway. Restarting the next node
   * while the last one still shipped its predecessor's ring (seen: 7000 spans unconfirmed, a
   * fresh JVM at a core and a half, heartbeats 23 s late) made the split brain resolver down
   * every node for instability.
   */
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(240);

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
    return "every node in turn: SIGTERM, start again, wait for all members Up and the catch-up";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    long at = System.currentTimeMillis();
    for (NodeJvm node : lab.nodes()) {
      progress.accept("restarting " + node.name() + " (SIGTERM: it drains, then leaves)");
      long stopping = System.currentTimeMillis();
      if (node.stop(DRAIN_LIMIT)) {
        progress.accept(node.name() + " drained and left in " + (System.currentTimeMillis() - stopping) + " ms");
      } else {
        progress.accept(node.name() + " did not drain within " + DRAIN_LIMIT.toSeconds() + " s: killed");
      }
      node.start();
      // Not the next node before this one is back: its API answers (so the new incarnation is
      // an Up member; the old one may still be listed Up for a few seconds after a kill) and
      // every member is Up and reachable. restoreMembers also starts again whatever exits
      // meanwhile (a restarted node downed while joining), and kills and restarts one not Up in
      // time.
      long start = System.currentTimeMillis();
      long deadline = start + timeout.plus(timeout).toMillis();
      while (true) {
        long left = deadline - System.currentTimeMillis();
        long upAt = left > 0 ? lab.restoreMembers(timeout, Duration.ofMillis(left)) : -1;
        if (upAt < 0) {
          throw new IllegalStateException("the cluster did not have all members Up within "
              + timeout.plus(timeout).toSeconds() + " s after restarting " + node.name()
              + "; the rolling restart stops here");
        }
        if (lab.apiAnswers(node)) {
          progress.accept(node.name() + " back, all members Up after " + (upAt - start) + " ms");
          long caughtUp = lab.awaitCaughtUp(CAUGHT_UP_UNCONFIRMED, CATCH_UP_LIMIT);
          if (caughtUp >= 0) {
            progress.accept("caught up " + caughtUp + " ms later (at most " + CAUGHT_UP_UNCONFIRMED
                + " spans unconfirmed on every node)");
          }
          break;
        }
        Thread.sleep(1000);
      }
    }
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
