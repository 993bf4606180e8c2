package dev.rootline.actors.inference;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A small shop for the tests: frontend:8080 GET /checkout?item=N calls cart:8081 GET /cart/N
 * (which calls db:5432 GET /query) and then catalog:8082 GET /price. Cart runs on host-b and
 * host-c, the others on host-a. Seeded; knobs for a slow service, a failing item and a failing
 * service.
 */
final class SyntheticTraces {

  static final long T0 = 1_700_000_000_000_000_000L;

  private final Random random;
  private long clock = T0;
  private long ids = 1;
  double cartSlowFactor = 1;
  String slowCartHost = null;
  int failingItem = -1;
  boolean catalogFails = false;

  SyntheticTraces(long seed) {
    this.random = new Random(seed);
  }

  List<List<Span>> traces(int n) {
    List<List<Span>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(trace());
    }
    return out;
  }

  List<Span> trace() {
    String traceId = String.format(Locale.ROOT, "%032x", ids++ + 0xfeed00000L);
    clock += 50_000_000L;
    int item = 1 + random.nextInt(20);
    List<Span> spans = new ArrayList<>();
    long start = clock;
    String root = id();
    long t = start + ms(1);
    // cart
    String cartHost = random.nextBoolean() ? "host-b" : "host-c";
    double factor = slowCartHost == null || slowCartHost.equals(cartHost) ? cartSlowFactor : 1;
    String cart = id();
    long cartStart = t + ms(0.2);
    long dbStart = cartStart + ms(2 * factor);
    long dbEnd = dbStart + ms(3);
    long cartEnd = dbEnd + ms(2 * factor);
    spans.add(server(traceId, cart, root, "cart:8081", cartHost, "/cart/" + item, cartStart, cartEnd, 200));
    spans.add(server(traceId, id(), cart, "db:5432", "host-a", "/query", dbStart, dbEnd, 200));
    t = cartEnd + ms(0.2);
    // catalog
    long catStart = t + ms(0.2);
    long catEnd = catStart + ms(4);
    int catStatus = catalogFails ? 500 : 200;
    spans.add(server(traceId, id(), root, "catalog:8082", "host-a", "/price", catStart, catEnd, catStatus));
    long end = catEnd + ms(1);
    int rootStatus = item == failingItem || catalogFails ? 500 : 200;
    spans.add(0, server(traceId, root, null, "frontend:8080", "host-a", "/checkout?item=" + item,
        start, end, rootStatus));
    return spans;
  }

  private String id() {
    return String.format(Locale.ROOT, "%016x", ids++);
  }

  private long ms(double millis) {
    return (long) (millis * 1e6 * Math.exp(0.15 * random.nextGaussian()));
  }

  static Span server(String traceId, String id, String parent, String service, String host,
      String path, long start, long end, int status) {
    return new Span(traceId, id, parent, Span.Kind.SERVER, host, service, 1, "GET", path, status,
        start, end, 100, 200, "", "", "GET " + path + " HTTP/1.1\r\nhost: x\r\n\r\n", "", null);
  }
}
