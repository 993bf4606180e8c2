package dev.rootline.persistence.readside;

import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Small builders of realistic retained traces for read-side tests. */
final class Traces {

  private Traces() {}

  static String randomHex(int chars) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < chars; i++) {
      s.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
    }
    return s.toString();
  }

  /**
   * A trace rooted at a server span of {@code rootService}, with one client call per downstream
   * service (a client span in the root's process and the server span it reached).
   */
  static RetainedTrace trace(Instant start, String rootService, int rootStatus, String... downstream) {
    String traceId = randomHex(32);
    long startNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    String rootId = randomHex(16);
    List<Span> spans = new ArrayList<>();
    spans.add(span(traceId, rootId, null, Span.Kind.SERVER, rootService, "GET", "/api/cart?id=3", rootStatus, startNanos, startNanos + 50_000_000L));
    long offset = 5_000_000L;
    for (String service : downstream) {
      String clientId = randomHex(16);
      String processName = rootService.substring(0, rootService.indexOf(':'));
      spans.add(span(traceId, clientId, rootId, Span.Kind.CLIENT, processName, "GET", "/stock", 200, startNanos + offset, startNanos + offset + 20_000_000L));
      spans.add(span(traceId, randomHex(16), clientId, Span.Kind.SERVER, service, "GET", "/stock", 200, startNanos + offset + 1_000_000L, startNanos + offset + 19_000_000L));
      offset += 21_000_000L;
    }
    List<String> reasons = rootStatus >= 500 ? List.of("status " + rootStatus + " from " + rootService) : List.of("slow for GET /api/cart");
    return new RetainedTrace(traceId, spans, 0.87, reasons, start.toEpochMilli() + 3_000);
  }

  private static Span span(
      String traceId, String spanId, String parent, Span.Kind kind, String service, String method, String path,
      int status, long start, long end) {
    return new Span(
        traceId, spanId, parent, kind, "host-a", service, 4242, method, path, status, start, end, 120, 480,
        "10.200.0.2:8081", "10.200.0.3:51234", method + " " + path + " HTTP/1.1\\r\\nHost: shop\\r\\n",
        "HTTP/1.1 " + status + " OK\\r\\n", null);
  }
}
