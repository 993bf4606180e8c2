package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import dev.rootline.chaos.harness.NodeJvm;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code kill9}: SIGKILL of a trace node (node 2: trace entities, capture of its host; not the
 * first seed) under load; it stays dead for {@code down} (the split brain resolver removes it and
 * its shards move), then it is started again and rejoins. Spans it held unconfirmed must be
 * delivered again to the entities' new home.
 */
public final class Kill9Scenario implements Scenario {
  private final int host;
  private final Duration down;

  public Kill9Scenario(int host, Duration down) {
    this.host = host;
    this.down = down;
  }

  @Override
  public String name() {
    return "kill9";
  }

  @Override
  public String description() {
    return "kill -9 of node-" + host + ", down " + down.toSeconds() + " s, then started again";
  }

  @Override
  public FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception {
    NodeJvm node = lab.node(host);
    long at = System.currentTimeMillis();
    progress.accept("kill -9 " + node.name() + " (pid " + node.pid() + ")");
    node.kill9();
    Thread.sleep(down.toMillis());
    progress.accept("starting " + node.name() + " again");
    node.start();
    return new FaultWindow(at, System.currentTimeMillis());
  }
}
