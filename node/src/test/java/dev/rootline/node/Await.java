package dev.rootline.node;

import java.time.Duration;
import java.util.function.Predicate;

/** Polling for the node ITs: ask again every half second until the answer is the one awaited. */
final class Await {

  /** One look at what is awaited (an API call, a query); may throw, which fails the wait. */
  interface Probe<T> {
    T get() throws Exception;
  }

  private Await() {}

  /** The first answer of {@code probe} that {@code done} accepts; fails naming the last one seen. */
  static <T> T until(Probe<T> probe, Predicate<T> done, String what, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = probe.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
  }
}
