package dev.rootline.node;

import java.time.Duration;
import java.util.function.Predicate;

/** Polling for the node ITs: ask again every half second until the answer is the one awaited. */
final class Await {

  /** One look at what is awaited (an API call, a query); may throw, which fails the wait. */
  interface Probe<T> {
    T get() throws Exception;
  }

  /**
   * Thrown by a probe whose answer says "not now" (the API's 503 while the store is slow, e.g.
   * while a fresh keyspace's read side is still being created): the wait goes on.
   */
  static final class NotReady extends RuntimeException {
    NotReady(String why) {
      super(why);
    }
  }

  private Await() {}

  /** The first answer of {@code probe} that {@code done} accepts; fails naming the last one seen. */
  static <T> T until(Probe<T> probe, Predicate<T> done, String what, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    Object last = null;
    while (System.nanoTime() < deadline) {
      T answer;
      try {
        answer = probe.get();
      } catch (NotReady notYet) {
        last = notYet.getMessage();
        Thread.sleep(500);
        continue;
      }
      last = answer;
      if (done.test(answer)) {
        return answer;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
  }

  /** Throws {@link NotReady} for a 503 answer, so a wait asks again instead of failing. */
  static void notReadyOn503(int status, String path, String body) {
    if (status == 503) {
      throw new NotReady(path + " -> 503 " + body);
    }
  }
}
