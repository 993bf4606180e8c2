package dev.rootline.actors.capture.bench;

import dev.rootline.actors.capture.MaskingRule;
import dev.rootline.persistence.policy.CapturePolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How long {@code PiiMasker} takes per captured message, every rule on. Not a test: run by hand
 * (see docs/BENCHMARKS.md), as the capture's other benchmarks are. Usage: {@code MaskingThroughput
 * [seconds per case, default 5]}. Each case masks one message of its kind over and over on one
 * thread (as the probe does) after a warm-up of the same length, and prints ns per message and MB/s.
 */
public final class MaskingThroughput {

  private MaskingThroughput() {}

  public static void main(String[] args) {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
    String head =
        "POST /api/orders?item=42&ref=campaign-7 HTTP/1.1\r\nHost: shop.internal:8080\r\n"
            + "User-Agent: python-requests/2.31\r\nAccept: application/json\r\n"
            + "Content-Type: application/json\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n";
    List<Case> cases =
        List.of(
            new Case("256 B request, nothing to mask", cut(head + "Content-Length: 40\r\n\r\n{\"qty\":3,\"sku\":\"A-1002\",\"gift\":false}", 256)),
            new Case(
                "256 B request, 4 secrets",
                cut("POST /api/orders?email=alice@example.com HTTP/1.1\r\nHost: shop.internal:8080\r\n"
                        + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc\r\nCookie: sid=9f8e7d\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 80\r\n\r\n"
                        + "{\"card\":\"4111 1111 1111 1111\",\"qty\":3,\"sku\":\"A-1002\",\"note\":\"leave at the door\"}", 256)),
            new Case(
                "1 KiB JSON response, 2 secrets",
                cut("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
                        + "{\"orders\":[" + "{\"id\":1234567,\"status\":\"shipped\",\"total\":\"19.99\",\"ts\":1732700000123},".repeat(12)
                        + "{\"email\":\"bob@example.org\",\"password\":\"x\"}]}", 1024)),
            new Case("256 B binary garbage", garbage(256)));
    dev.rootline.actors.capture.PiiMasker masker = new dev.rootline.actors.capture.PiiMasker();
    int rules = MaskingRule.maskOf(CapturePolicy.MASKING_RULES);
    // CPU time of this thread as well as wall time: on a shared, loaded machine the wall clock
    // mostly measures waiting for a core.
    System.out.printf("%-34s %6s %14s %14s %12s%n", "case", "bytes", "wall ns/msg", "cpu ns/msg", "cpu MB/s");
    for (Case c : cases) {
      run(masker, c.bytes, rules, seconds); // warm-up
      long[] result = run(masker, c.bytes, rules, seconds);
      double wallPer = (double) result[1] / result[0];
      double cpuPer = (double) result[2] / result[0];
      System.out.printf("%-34s %6d %14.0f %14.0f %12.1f%n", c.name, c.bytes.length, wallPer, cpuPer,
          c.bytes.length / cpuPer * 1e9 / 1e6);
    }
    System.out.println("masking counters: " + masker.counters());
  }

  /** {messages, wall nanos, cpu nanos} of masking {@code text} for about {@code seconds}. */
  private static long[] run(dev.rootline.actors.capture.PiiMasker masker, byte[] text, int rules, long seconds) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long messages = 0;
    long sink = 0;
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long now = start;
    while (now < end) {
      for (int i = 0; i < 1000; i++) {
        sink += masker.mask(text, rules, true).length;
      }
      messages += 1000;
      now = System.nanoTime();
    }
    if (sink == 42) {
      System.out.println(); // keeps the results alive
    }
    return new long[] {messages, now - start, threads.getCurrentThreadCpuTime() - cpuStart};
  }

  private static byte[] cut(String text, int bytes) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[Math.min(bytes, b.length)];
    System.arraycopy(b, 0, out, 0, out.length);
    return out;
  }

  private static byte[] garbage(int n) {
    byte[] b = new byte[n];
    new java.util.Random(1).nextBytes(b);
    return b;
  }

  private record Case(String name, byte[] bytes) {}
}
