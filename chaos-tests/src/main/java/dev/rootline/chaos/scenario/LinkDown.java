package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.Commands;
import dev.rootline.chaos.harness.NetnsLab;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A hard partition of one host: its only link ({@code eth0} inside its namespace) set down, and
 * up again. Nothing outside the host's namespace is touched; deleting the namespace at teardown
 * removes it too. Idempotent both ways.
 */
final class LinkDown implements AutoCloseable {
  private final NetnsLab lab;
  private final int host;
  private boolean down;

  LinkDown(NetnsLab lab, int host) {
    this.lab = lab;
    this.host = host;
  }

  synchronized void inject() throws IOException, InterruptedException {
    set("down");
    down = true;
  }

  synchronized void heal() throws IOException, InterruptedException {
    if (down) {
      set("up");
      down = false;
    }
  }

  private void set(String state) throws IOException, InterruptedException {
    Commands.run(
        List.of("ip", "-n", lab.namespace(host), "link", "set", "eth0", state), Duration.ofSeconds(10));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    heal();
  }
}
