package dev.rootline.chaos.scenario;

import dev.rootline.chaos.faults.ProcessFaults;
import dev.rootline.chaos.harness.ChaosLab;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code cassandra}: the Cassandra JVM killed with SIGKILL (by pid; no drain, no flush, the commit
 * log as it lies) under load, left dead for {@code down}, then started again on the same data
 * directory. Healed once CQL answers again, checked from inside the client host (where Cassandra
 * lives) and from host 1 through the nodes' contact point (the client host's CQL proxy). Retained
 * traces decided while Cassandra was gone cannot be persisted then: they must be persisted after.
 */
public final class CassandraScenario implements Scenario {
  private final Duration down;
  private volatile String measured = "";

  public CassandraScenario(Duration down) {
    this.down = down;
  }

  @Override
  public String name() {
    return "cassandra";
  }

  @Override
  public String description() {
    return "kill -9 of Cassandra, dead " + down.toSeconds() + " s, then started again on its data"
        + " (CQL checked from inside the client host)" + measured;
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    long pid = lab.cassandraPid();
    long at = System.currentTimeMillis();
    progress.accept("kill -9 Cassandra (pid " + pid + ") for " + down.toSeconds() + " s");
    try {
      ProcessFaults.kill9(pid);
      Thread.sleep(down.toMillis());
    } finally {
      long restartAt = System.currentTimeMillis();
      progress.accept("starting Cassandra again");
      long again = lab.restartCassandra();
      String direct = lab.cqlReady(lab.clientHost(), lab.cassandraHostAddress(), ChaosLab.CQL_PORT, Duration.ofSeconds(240));
      String viaProxy = lab.cqlReady(1, lab.cassandraHostAddress(), ChaosLab.CQL_PROXY_PORT, Duration.ofSeconds(60));
      long back = System.currentTimeMillis() - restartAt;
      progress.accept("Cassandra pid " + again + " answers CQL " + back + " ms after the restart began (client host: "
          + direct + "; from host 1 via the contact point: " + viaProxy + ")");
      measured = "; CQL answered again " + String.format("%.0f", back / 1000.0) + " s after the restart began";
    }
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
