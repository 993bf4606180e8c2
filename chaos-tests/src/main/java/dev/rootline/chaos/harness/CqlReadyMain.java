package dev.rootline.chaos.harness;

import dev.rootline.chaos.faults.CqlProbe;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * {@code CqlReadyMain HOST PORT TIMEOUT_SECONDS}: waits until HOST:PORT answers CQL ({@link
 * CqlProbe}), then measures one more OPTIONS round trip. Run inside a namespace host ({@code ip
 * netns exec}), because the harness JVM cannot reach addresses that exist only there. Prints
 * {@code ready-after-ms=N round-trip-ms=M}; exit 0 when ready, 1 when not within the timeout.
 */
public final class CqlReadyMain {
  private CqlReadyMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3) {
      System.err.println("usage: CqlReadyMain HOST PORT TIMEOUT_SECONDS");
      System.exit(2);
    }
    InetSocketAddress cql = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
    try {
      Duration ready = CqlProbe.await(cql, Duration.ofSeconds(Long.parseLong(args[2])));
      long t = System.nanoTime();
      boolean again = CqlProbe.answers(cql, Duration.ofSeconds(10));
      long rtt = (System.nanoTime() - t) / 1_000_000;
      System.out.println("ready-after-ms=" + ready.toMillis() + " round-trip-ms=" + (again ? rtt : -1));
      System.exit(0);
    } catch (IllegalStateException notReady) {
      System.out.println(notReady.getMessage());
      System.exit(1);
    }
  }
}
