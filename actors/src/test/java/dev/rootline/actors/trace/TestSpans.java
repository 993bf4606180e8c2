package dev.rootline.actors.trace;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Small builders of spans and traces shared by this package's tests. */
final class TestSpans {

  private static final AtomicLong IDS = new AtomicLong(1);
  static final long T0 = 1_700_000_000_000_000_000L;

  private TestSpans() {}

  static String newTraceId() {
    return String.format("%032x", IDS.getAndIncrement() + 0xabc000L);
  }

  static String newSpanId() {
    return String.format("%016x", IDS.getAndIncrement());
  }

  /** A server span of {@code service}: 200 OK, {@code durationMillis} long, 600 bytes. */
  static Span server(String traceId, String parent, String service, String path, double durationMillis) {
    return span(traceId, newSpanId(), parent, Span.Kind.SERVER, service, "GET", path, 200,
        T0, T0 + (long) (durationMillis * 1e6), 200, 400, null);
  }

  static Span span(
      String traceId,
      String spanId,
      String parent,
      Span.Kind kind,
      String service,
      String method,
      String path,
      int status,
      long start,
      long end,
      long requestBytes,
      long responseBytes,
      String error) {
    return new Span(traceId, spanId, parent, kind, "host-a", service, 4242, method, path, status,
        start, end, requestBytes, responseBytes, "127.0.0.1:8080", "127.0.0.1:50000",
        method + " " + path + " HTTP/1.1", "HTTP/1.1 " + status, error);
  }

  static Span withStatus(Span s, int status) {
    return new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.kind(), s.host(), s.service(),
        s.pid(), s.method(), s.path(), status, s.startEpochNanos(), s.endEpochNanos(),
        s.requestBytes(), s.responseBytes(), s.localAddress(), s.peerAddress(),
        s.requestExcerpt(), s.responseExcerpt(), s.error());
  }

  /** The same trace with its third span (the downstream server of {@link #checkout}) failing with a 500. */
  static List<Span> failing(List<Span> spans) {
    List<Span> out = new ArrayList<>(spans);
    out.set(2, withStatus(out.get(2), 500));
    return out;
  }

  static Span withError(Span s, String error) {
    return new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.kind(), s.host(), s.service(),
        s.pid(), s.method(), s.path(), s.status(), s.startEpochNanos(), s.endEpochNanos(),
        s.requestBytes(), s.responseBytes(), s.localAddress(), s.peerAddress(),
        s.requestExcerpt(), s.responseExcerpt(), error);
  }

  /**
   * A checkout-like trace: a root server span on {@code rootService} calling a client span that
   * reaches a downstream server span. Total duration {@code durationMillis}; the downstream call
   * takes about half of it; {@code bytes} spread over the spans.
   */
  static List<Span> checkout(String rootService, String path, double durationMillis, long bytes) {
    String traceId = newTraceId();
    long start = T0;
    long end = start + (long) (durationMillis * 1e6);
    String rootId = newSpanId();
    String clientId = newSpanId();
    long callStart = start + (long) (durationMillis * 0.2e6);
    long callEnd = start + (long) (durationMillis * 0.7e6);
    List<Span> spans = new ArrayList<>();
    spans.add(span(traceId, rootId, null, Span.Kind.SERVER, rootService, "GET", path, 200,
        start, end, bytes / 4, bytes / 4, null));
    spans.add(span(traceId, clientId, rootId, Span.Kind.CLIENT, "python3", "GET", "/stock/7", 200,
        callStart, callEnd, bytes / 8, bytes / 8, null));
    spans.add(span(traceId, newSpanId(), clientId, Span.Kind.SERVER, "python3:8082", "GET",
        "/stock/7", 200, callStart + 100_000, callEnd - 100_000, bytes / 8, bytes / 8, null));
    return spans;
  }

  /** Typical checkout traces: ~20 ms (log-normal spread), ~1000 bytes; seeded. */
  static List<List<Span>> typicalCheckouts(String rootService, int count, long seed) {
    Random random = new Random(seed);
    List<List<Span>> traces = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      double millis = Math.exp(Math.log(20) + 0.2 * random.nextGaussian());
      traces.add(checkout(rootService, "/checkout?cart=" + i, millis, 900 + random.nextInt(200)));
    }
    return traces;
  }
}
