package dev.rootline.actors.stitch;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.issue.IssueSettings;
import dev.rootline.actors.issue.IssueUpdates;
import dev.rootline.actors.trace.RetainedTraces;
import dev.rootline.actors.trace.TraceEntity;
import dev.rootline.actors.trace.TraceRecord;
import dev.rootline.actors.trace.TraceScorer;
import dev.rootline.actors.trace.TraceSettings;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rendezvous and the merge together on a one-node cluster (in-memory journal, every message
 * serialized): accounts published the way two hosts' captures publish them end up as one trace
 * per request, the server span a child of the client span. Failing spans make the traces
 * retained, so the merged trace can be read back from its TraceRecord.
 */
class TraceMergeTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final AtomicLong IDS = new AtomicLong(1);

  private static ActorTestKit testKit;
  private static ClusterSharding sharding;
  private static StitchCounters counters;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.actor.serialize-messages = on
                rootline.actors.trace { quiet-period = 300ms, linger = 5s }
                rootline.actors.stitch { link-wait = 1500ms, entry-ttl = 2s }
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("TraceMergeTest", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(PATIENCE, () -> {
      assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
      return null;
    });
    TraceSettings settings = TraceSettings.create(testKit.system().settings().config());
    var scorer = testKit.spawn(TraceScorer.create(settings.scorer()), "scorer", TraceScorer.DISPATCHER);
    var retained = testKit.spawn(RetainedTraces.topic(), "retained-traces");
    // A retained trace with a fingerprint records its occurrence on its issue before it is done.
    IssueEntity.init(
        testKit.system(),
        IssueSettings.create(testKit.system().settings().config()),
        testKit.spawn(IssueUpdates.topic(), "issue-updates"));
    TraceRecord.init(testKit.system());
    TraceEntity.init(testKit.system(), settings, scorer, retained);
    ConnectionEntity.init(testKit.system());
    sharding = ClusterSharding.get(testKit.system());
    counters = StitchCounters.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aServerRootTraceOnAnotherHostBecomesTheChildOfItsClientSpan() {
    Request r = request("10.200.0.1:41000", "10.200.0.2:8081", 1, 0, "/stock/7");

    r.sendSpans();
    r.publishServerThenClient();

    RetainedTrace merged = retained(r.clientTraceId);
    Map<String, Span> byId = byId(merged.spans());
    assertThat(byId).containsOnlyKeys(r.root.spanId(), r.client.spanId(), r.server.spanId(), r.serverChild.spanId());
    assertThat(byId.get(r.server.spanId()).parentSpanId()).isEqualTo(r.client.spanId());
    assertThat(byId.get(r.serverChild.spanId()).parentSpanId()).as("the server's own children stay its children").isEqualTo(r.server.spanId());
    assertThat(merged.spans()).allSatisfy(s -> assertThat(s.traceId()).isEqualTo(r.clientTraceId));
    assertThat(status(r.serverTraceId).decisions()).as("the server's own trace is never decided").isZero();
  }

  @Test
  void everyRequestOfAKeepAliveConnectionJoinsItsOwnClientTrace() {
    List<Request> requests =
        List.of(
            request("10.200.0.1:41001", "10.200.0.3:8082", 1, 0, "/cart"),
            request("10.200.0.1:41001", "10.200.0.3:8082", 2, 3, "/cart"),
            request("10.200.0.1:41001", "10.200.0.3:8082", 3, 6, "/cart"));
    requests.forEach(Request::sendSpans);
    // accounts scrambled the way two hosts' captures and the network may deliver them
    requests.get(2).publishServer();
    requests.get(0).publishServer();
    requests.get(1).publishClient();
    requests.get(0).publishClient();
    requests.get(1).publishServer();
    requests.get(2).publishClient();

    for (Request r : requests) {
      Map<String, Span> byId = byId(retained(r.clientTraceId).spans());
      assertThat(byId).hasSize(4);
      assertThat(byId.get(r.server.spanId()).parentSpanId()).isEqualTo(r.client.spanId());
    }
  }

  @Test
  void aServerRootTraceWithoutALinkWaitsLinkWaitThenIsDecidedOnItsOwn() {
    Request r = request("10.200.0.1:41002", "10.200.0.2:8081", 1, 0, "/alone");
    r.sendServerSpans();

    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      assertThat(status(r.serverTraceId).spans()).isEqualTo(2);
      return null;
    });
    // the quiet period (300 ms) alone would have decided it by now
    probe.expectNoMessage(Duration.ofMillis(800));
    assertThat(status(r.serverTraceId).decisions()).isZero();
    RetainedTrace alone = retained(r.serverTraceId);
    assertThat(alone.spans()).hasSize(2);

    // a link that comes after the decision changes nothing: two traces stay two
    long refused = counters.snapshot().get("mergesRefused");
    r.sendClientSpans();
    r.publishServerThenClient();
    probe.awaitAssert(PATIENCE, () -> {
      assertThat(counters.snapshot().get("mergesRefused")).isGreaterThan(refused);
      return null;
    });
    assertThat(retained(r.serverTraceId).spans()).hasSize(2);
  }

  // ---- helpers ----

  private static TraceEntity.Status status(String traceId) {
    return sharding.entityRefFor(TraceEntity.ENTITY_KEY, traceId)
        .<TraceEntity.Status>ask(TraceEntity.GetStatus::new, Duration.ofSeconds(5))
        .toCompletableFuture().join();
  }

  private static RetainedTrace retained(String traceId) {
    TestProbe<Object> probe = testKit.createTestProbe();
    return probe.awaitAssert(PATIENCE, Duration.ofMillis(100), () -> {
      var current = sharding.entityRefFor(TraceRecord.ENTITY_KEY, traceId)
          .ask(TraceRecord.Get::new, Duration.ofSeconds(5)).toCompletableFuture().join();
      assertThat(current.retained()).as("trace %s retained", traceId).isPresent();
      RetainedTrace t = current.retained().orElseThrow();
      return t;
    });
  }

  private static Map<String, Span> byId(List<Span> spans) {
    return spans.stream().collect(Collectors.toMap(Span::spanId, Function.identity()));
  }

  /**
   * Host A: a root server span whose thread calls host B (client span). Host B: the server span
   * of that call (a trace of its own, as its capture knows no caller) with a failing child.
   */
  private static Request request(String clientEnd, String serverEnd, int ordinal, long atMs, String path) {
    return new Request(clientEnd, serverEnd, ordinal, T0 + atMs * MS, path);
  }

  private static final class Request {
    final String clientTraceId = id(32);
    final String serverTraceId = id(32);
    final Span root;
    final Span client;
    final Span server;
    final Span serverChild;
    final String clientEnd;
    final String serverEnd;
    final int ordinal;

    Request(String clientEnd, String serverEnd, int ordinal, long t, String path) {
      this.clientEnd = clientEnd;
      this.serverEnd = serverEnd;
      this.ordinal = ordinal;
      root = span(clientTraceId, null, Span.Kind.SERVER, "h1", "frontend:8080", "/checkout", 200, t, t + 3 * MS);
      client = span(clientTraceId, root.spanId(), Span.Kind.CLIENT, "h1", "frontend:8080", path, 500, t + MS / 10, t + 2 * MS);
      server = span(serverTraceId, null, Span.Kind.SERVER, "h2", "catalog:8081", path, 500, t + MS / 5, t + 19 * MS / 10);
      serverChild = span(serverTraceId, server.spanId(), Span.Kind.CLIENT, "h2", "catalog:8081", "/db", 500, t + MS / 2, t + MS);
    }

    void sendSpans() {
      sendClientSpans();
      sendServerSpans();
    }

    void sendClientSpans() {
      TraceEntity.recordSpan(sharding, root);
      TraceEntity.recordSpan(sharding, client);
    }

    void sendServerSpans() {
      TraceEntity.recordSpan(sharding, server);
      TraceEntity.recordSpan(sharding, serverChild);
    }

    void publishServerThenClient() {
      publishServer();
      publishClient();
    }

    void publishServer() {
      ConnectionEntity.publish(sharding, link(ConnectionLink.Side.SERVER, server));
    }

    void publishClient() {
      ConnectionEntity.publish(sharding, link(ConnectionLink.Side.CLIENT, client));
    }

    private ConnectionLink link(ConnectionLink.Side side, Span s) {
      return new ConnectionLink(side, clientEnd, serverEnd, ordinal, s.startEpochNanos(),
          s.endEpochNanos(), s.method(), s.path(), s.traceId(), s.spanId(), s.host());
    }
  }

  private static Span span(String traceId, String parent, Span.Kind kind, String host, String service,
      String path, int status, long start, long end) {
    return new Span(traceId, id(16), parent, kind, host, service, 4242, "GET", path, status, start, end,
        100, 200, "", "", "GET " + path + " HTTP/1.1", "HTTP/1.1 " + status, null);
  }

  private static String id(int hexDigits) {
    return String.format("%0" + hexDigits + "x", IDS.getAndIncrement() + 0x5717c4000L);
  }
}
