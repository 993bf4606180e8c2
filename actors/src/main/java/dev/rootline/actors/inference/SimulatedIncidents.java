package dev.rootline.actors.inference;

import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * A small, deterministic generator of incidents with a known cause: a random service topology
 * (services on shared hosts, some with two replicas, operations calling deeper services), normal
 * traffic, then one injected fault (a slow service, endpoint or host, a slow replica, added
 * network delay, an exception, an early return, failures for one attribute value). The ranking
 * prior learns from it what evidence points at a cause; it never sees real evaluation data.
 */
public final class SimulatedIncidents {

  /** The kinds of fault injected, each labelled with the candidate level that is the cause. */
  public enum Fault {
    SLOW_SERVICE, SLOW_ENDPOINT, SLOW_HOST, SLOW_REPLICA, NETWORK_DELAY, EXCEPTION, EARLY_RETURN,
    ATTRIBUTE_FAILURE
  }

  /** One simulated incident: spans of every trace in time order, and the true cause. */
  public record Incident(Fault fault, Candidate cause, List<List<Span>> normal,
      List<List<Span>> faulty) {}

  private record Op(int service, String path, double selfMillis, List<int[]> calls) {}

  private final Random random;
  private final int services;
  private final List<List<String>> hostsOf = new ArrayList<>();
  private final List<List<Op>> ops = new ArrayList<>();
  private long clock = 1_600_000_000_000_000_000L;
  private long ids = 1;

  private SimulatedIncidents(long seed) {
    this.random = new Random(seed);
    this.services = 5 + random.nextInt(6);
    int hosts = 2 + random.nextInt(3);
    for (int s = 0; s < services; s++) {
      List<String> h = new ArrayList<>();
      h.add("host-" + random.nextInt(hosts));
      if (random.nextDouble() < 0.35) {
        String second = "host-" + random.nextInt(hosts);
        if (!h.contains(second)) {
          h.add(second);
        }
      }
      hostsOf.add(h);
      List<Op> list = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int o = 0; o < n; o++) {
        List<int[]> calls = new ArrayList<>();
        for (int t = s + 1; t < services; t++) {
          if (random.nextDouble() < 0.3) {
            calls.add(new int[] {t, -1, random.nextDouble() < 0.15 ? 2 : 1});
          }
        }
        list.add(new Op(s, "/" + (char) ('a' + s) + "/op" + o, Math.exp(Math.log(0.5) + 3.5 * random.nextDouble()), calls));
      }
      ops.add(list);
    }
    // Bind each call to one operation of the callee.
    for (List<Op> list : ops) {
      for (Op op : list) {
        for (int[] call : op.calls()) {
          call[1] = random.nextInt(ops.get(call[0]).size());
        }
      }
    }
  }

  /** {@code count} incidents from {@code seed}, each in its own random topology. */
  public static List<Incident> generate(int count, long seed) {
    List<Incident> out = new ArrayList<>();
    Random seeds = new Random(seed);
    for (int i = 0; i < count; i++) {
      out.add(new SimulatedIncidents(seeds.nextLong()).incident(Fault.values()[i % Fault.values().length]));
    }
    return out;
  }

  static String service(int s) {
    return "svc-" + (char) ('a' + s);
  }

  private Incident incident(Fault fault) {
    int target = 1 + random.nextInt(services - 1);
    int op = random.nextInt(ops.get(target).size());
    String host = hostsOf.get(target).get(random.nextInt(hostsOf.get(target).size()));
    Candidate cause = switch (fault) {
      case SLOW_ENDPOINT -> Candidate.endpoint(service(target), operationKey(target, op));
      case SLOW_HOST -> servicesOn(host) >= 2 ? Candidate.host(host) : Candidate.service(service(target));
      case ATTRIBUTE_FAILURE -> Candidate.attribute(service(0), "query.item=7", operationKey(0, 0));
      default -> Candidate.service(service(target));
    };
    Injection inj = new Injection(fault, target, op, host, 2 + 10 * random.nextDouble(),
        0.6 + 0.4 * random.nextDouble());
    List<List<Span>> normal = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      normal.add(trace(null));
    }
    List<List<Span>> faulty = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      faulty.add(trace(inj));
    }
    return new Incident(fault, cause, normal, faulty);
  }

  private int servicesOn(String host) {
    int n = 0;
    for (List<String> h : hostsOf) {
      n += h.contains(host) ? 1 : 0;
    }
    return n;
  }

  private String operationKey(int service, int op) {
    return service(service) + " GET " + ops.get(service).get(op).path();
  }

  private record Injection(Fault fault, int service, int op, String host, double factor,
      double share) {}

  private List<Span> trace(Injection inj) {
    String traceId = String.format(Locale.ROOT, "%032x", ids++);
    List<Span> spans = new ArrayList<>();
    clock += 250_000_000L + random.nextInt(250_000_000);
    int item = 1 + random.nextInt(20);
    boolean hit = inj != null && random.nextDouble() < inj.share();
    call(spans, traceId, null, 0, random.nextInt(ops.get(0).size()), clock, item,
        hit ? inj : null, new boolean[1]);
    return spans;
  }

  /** Emits the server span of one call (and its subtree); returns its end time and status. */
  private long[] call(List<Span> spans, String traceId, String parent, int service, int opIndex,
      long start, int item, Injection inj, boolean[] failed) {
    Op op = ops.get(service).get(opIndex);
    List<String> hosts = hostsOf.get(service);
    String host = hosts.get(random.nextInt(hosts.size()));
    double factor = 1;
    boolean cutShort = false;
    boolean early = false;
    int status = 200;
    if (inj != null) {
      boolean here = service == inj.service();
      switch (inj.fault()) {
        case SLOW_SERVICE -> factor = here ? inj.factor() : 1;
        case SLOW_ENDPOINT -> factor = here && opIndex == inj.op() ? inj.factor() : 1;
        case SLOW_HOST -> factor = host.equals(inj.host()) ? inj.factor() : 1;
        case SLOW_REPLICA -> factor = here && host.equals(inj.host()) ? inj.factor() : 1;
        case EXCEPTION -> {
          if (here) {
            cutShort = true;
            status = random.nextBoolean() ? 500 : 0;
          }
        }
        case EARLY_RETURN -> early = here;
        case ATTRIBUTE_FAILURE -> {
          if (item == 7 && service == 0 && opIndex == 0) {
            status = 500;
          }
        }
        default -> { }
      }
    }
    String spanId = String.format(Locale.ROOT, "%016x", ids++);
    String path = op.path() + (service == 0 ? "?item=" + item : "");
    long t = start + nanos(op.selfMillis() * 0.3 * factor * (early ? 0.05 : 1));
    List<Span> mine = new ArrayList<>();
    if (!early) {
      int callsMade = 0;
      for (int[] c : op.calls()) {
        if (failed[0] && random.nextDouble() < 0.5) {
          break; // a caller that got an error often gives up on the rest
        }
        for (int k = 0; k < c[2]; k++) {
          if (cutShort && callsMade >= 1) {
            break;
          }
          String clientId = String.format(Locale.ROOT, "%016x", ids++);
          long link = nanos(0.2 + 0.1 * random.nextDouble());
          if (inj != null && inj.fault() == Fault.NETWORK_DELAY && c[0] == inj.service()) {
            link += nanos(inj.factor() * 5);
          }
          long[] child = call(spans, traceId, clientId, c[0], c[1], t + link, item, inj,
              new boolean[1]);
          long end = child[0] + link;
          int childStatus = (int) child[1];
          mine.add(new Span(traceId, clientId, spanId, Span.Kind.CLIENT, host, service(service), 1,
              "GET", ops.get(c[0]).get(c[1]).path(), childStatus, t, end, 100, 200, "", "", "",
              "", null));
          failed[0] |= childStatus >= 500;
          t = end + nanos(0.05);
          callsMade++;
        }
      }
    }
    long end = t + nanos(op.selfMillis() * 0.7 * factor * (early ? 0.05 : 1) * (cutShort ? 0.3 : 1));
    if (failed[0] && status == 200 && random.nextDouble() < 0.7) {
      status = 500;
    }
    String excerpt = "GET " + path + " HTTP/1.1\r\nhost: x\r\n\r\n";
    Span server = new Span(traceId, spanId, parent, Span.Kind.SERVER, host,
        service(service), 1, "GET", path, status, start, end, 100, 200, "", "", excerpt, "", null);
    spans.add(server);
    spans.addAll(mine);
    failed[0] = status >= 500;
    return new long[] {end, status};
  }

  private long nanos(double millis) {
    double noisy = millis * Math.exp(0.25 * random.nextGaussian());
    return Math.max(1_000, (long) (noisy * 1e6));
  }

  /** Distinct services of a set of spans (for tests). */
  static Set<String> servicesOf(List<Span> spans) {
    Set<String> out = new LinkedHashSet<>();
    spans.forEach(s -> out.add(s.service()));
    return out;
  }

  /** The level of a fault's cause (for tests and reports). */
  static RootCause.Level levelOf(Incident incident) {
    return incident.cause().level();
  }
}
