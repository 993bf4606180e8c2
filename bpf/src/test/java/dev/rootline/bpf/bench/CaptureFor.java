package dev.rootline.bpf.bench;

import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import java.util.function.Consumer;

/**
 * Captures the whole host (all but itself) for a while, draining and decoding every event the
 * way the node does, then prints the counters: the capture half of bench/capture-overhead.sh.
 *
 * <p>Usage (as root, after {@code mvn -pl bpf test-compile}): {@code java -cp
 * target/classes:target/test-classes:<config jar> dev.rootline.bpf.bench.CaptureFor SECONDS}
 */
public final class CaptureFor {

  private CaptureFor() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 10;
    CaptureSettings settings = CaptureSettings.create(ConfigFactory.load());
    long[] bytes = new long[1];
    Consumer<CaptureEvent> sink = e -> bytes[0] += e.payload().length;
    try (CaptureSession session = CaptureSession.open(settings)) {
      System.out.println("capturing");
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        session.poll(sink);
        Thread.sleep(settings.pollInterval().toMillis());
      }
      while (session.poll(sink) > 0) {
        // the tail
      }
      System.out.printf("%s, payload bytes %d%n", session.counters(), bytes[0]);
    }
  }
}
