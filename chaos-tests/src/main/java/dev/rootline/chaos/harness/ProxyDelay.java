package dev.rootline.chaos.harness;

import dev.rootline.chaos.faults.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Added latency on every path through the lab's latency proxies ({@link DelayProxyMain} in each
 * host): inject writes the one-way delay into every proxy's control file and returns once every
 * proxy has it in force; heal writes 0 and waits the same way. A proxy process that is gone is
 * skipped on heal (nothing it could delay any more) but fails inject (the fault would be partial).
 */
// close() heals and may be interrupted while waiting; that is intended.
@SuppressWarnings("try")
public final class ProxyDelay implements Fault {
  private static final Duration ACK_TIMEOUT = Duration.ofSeconds(15);

  /** One proxy process: its control file and its pid. */
  public record Proxy(String name, Path control, long pid) {}

  private final List<Proxy> proxies;
  private final Duration delay;

  public ProxyDelay(List<Proxy> proxies, Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must be zero or positive, got " + delay);
    }
    this.proxies = List.copyOf(proxies);
    this.delay = delay;
  }

  @Override
  public String name() {
    return "latency +" + delay.toMillis() + " ms each way through " + proxies.size() + " proxy processes";
  }

  @Override
  public void inject() throws Exception {
    set(delay.toMillis(), true);
  }

  @Override
  public void heal() throws Exception {
    set(0, false);
  }

  private void set(long millis, boolean strict) throws IOException, InterruptedException {
    for (Proxy p : proxies) {
      Path tmp = p.control().resolveSibling(p.control().getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(millis));
      Files.move(tmp, p.control(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    long deadline = System.nanoTime() + ACK_TIMEOUT.toNanos();
    for (Proxy p : proxies) {
      while (DelayProxyMain.readMillis(DelayProxyMain.applied(p.control())) != millis) {
        if (!Commands.alive(p.pid())) {
          if (strict) {
            throw new IllegalStateException("latency proxy " + p.name() + " (pid " + p.pid() + ") is not running");
          }
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "latency proxy " + p.name() + " did not apply " + millis + " ms within " + ACK_TIMEOUT);
        }
        Thread.sleep(50);
      }
    }
  }

  @Override
  public String toString() {
    return name();
  }
}
