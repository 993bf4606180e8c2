package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureEvent.Direction;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ProbeActorTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("rootline.actors.capture.host = probe-test")
          .withFallback(ConfigFactory.parseResources("capture.conf"))
          .withFallback(ConfigFactory.load())
          .resolve();

  private static final ActorTestKit testKit = ActorTestKit.create(CONFIG);

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void pollsTheSourceOnItsDispatcherAndHandsOverSpans() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L; // two seconds ago
    ScriptedSource source = new ScriptedSource();
    source.script.add(List.of(accept(t0), read(t0 + 1_000_000, "GET /hello HTTP/1.1\r\n\r\n")));
    source.script.add(List.of());
    source.script.add(List.of(write(t0 + 3_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    CaptureAssemblySettings settings = CaptureAssemblySettings.create(CONFIG);

    // Adapted the way the node adapts the native CaptureSession.
    EventSource adapted = EventSource.closing(source::poll, source);
    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(ProbeActor.create(settings, adapted, spans::add), "probe", ProbeActor.DISPATCHER);

    Span span = spans.poll(10, TimeUnit.SECONDS);
    assertThat(span).isNotNull();
    assertThat(span.path()).isEqualTo("/hello");
    assertThat(span.status()).isEqualTo(200);
    assertThat(span.host()).isEqualTo("probe-test");
    assertThat(span.service()).isEqualTo("python3:8081");
    assertThat(source.threadName).contains("rootline.actors.capture.dispatcher");

    TestProbe<CaptureCounters> replies = testKit.createTestProbe();
    probe.tell(new ProbeActor.GetCounters(replies.getRef()));
    CaptureCounters counters = replies.receiveMessage(Duration.ofSeconds(5));
    assertThat(counters.events()).isEqualTo(3);
    assertThat(counters.spansEmitted()).isEqualTo(1);
    assertThat(source.polls.get()).isGreaterThan(3);

    testKit.stop(probe);
    assertThat(source.closed.await(5, TimeUnit.SECONDS)).as("source closed on stop").isTrue();
  }

  @Test
  void aFailingSourceOrConsumerDoesNotStopTheProbe() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L;
    ScriptedSource source = new ScriptedSource();
    source.failNext = true;
    source.script.add(
        List.of(
            accept(t0),
            read(t0 + 1_000_000, "GET /a HTTP/1.1\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n"),
            write(t0 + 2_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            read(t0 + 3_000_000, "GET /b HTTP/1.1\r\n\r\n"),
            write(t0 + 4_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    AtomicInteger calls = new AtomicInteger();
    Consumer<Span> flaky =
        span -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("sharding not ready");
          }
          spans.add(span);
        };

    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(CaptureAssemblySettings.create(CONFIG), source::poll, flaky),
            "flaky-probe",
            ProbeActor.DISPATCHER);

    Span span = spans.poll(10, TimeUnit.SECONDS);
    assertThat(span).isNotNull();
    assertThat(span.path()).isEqualTo("/b");
    testKit.stop(probe);
  }

  /**
   * Without a kernel control the probe still enforces policies on spans: after ApplyPolicies an
   * endpoint with capture off is dropped and counted, the rest goes through, and GetPolicyState
   * tells what is in force.
   */
  @Test
  void appliedPoliciesDropSpansOfAnEndpointWithCaptureOff() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L;
    ScriptedSource source = new ScriptedSource();
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(CaptureAssemblySettings.create(CONFIG), source::poll, spans::add),
            "policy-probe",
            ProbeActor.DISPATCHER);
    PolicyScope health = PolicyScope.endpoint("python3:8081", "GET", "/health");
    probe.tell(
        new ProbeActor.ApplyPolicies(
            PolicySet.of(new CapturePolicy(true, 1024, 0.05, 0.65, 2000L, List.of(), List.of()))
                .with(new ScopedPolicy(health, 1, new CapturePolicy(false, null, null, null, null, null, null), 1L))));
    TestProbe<CapturePolicyState> states = testKit.createTestProbe();
    probe.tell(new ProbeActor.GetPolicyState(states.getRef()));
    CapturePolicyState applied = states.receiveMessage(Duration.ofSeconds(5));
    assertThat(applied.policiesReceived()).isTrue();
    assertThat(applied.kernelEnforced()).isFalse();
    assertThat(applied.droppedEndpoints()).containsExactly("python3:8081 GET /health");

    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    source.script.add(
        List.of(
            accept(t0),
            read(t0 + 1_000_000, "GET /health?full=1 HTTP/1.1\r\n\r\n"),
            write(t0 + 2_000_000, ok),
            read(t0 + 3_000_000, "GET /cart HTTP/1.1\r\n\r\n"),
            write(t0 + 4_000_000, ok)));
    Span span = spans.poll(10, TimeUnit.SECONDS);
    assertThat(span).isNotNull();
    assertThat(span.path()).isEqualTo("/cart");
    probe.tell(new ProbeActor.GetPolicyState(states.getRef()));
    CapturePolicyState after = states.receiveMessage(Duration.ofSeconds(5));
    assertThat(after.counters().spansDroppedByPolicy()).isEqualTo(1);
    assertThat(after.counters().pidsLearnt()).isEqualTo(1);
    assertThat(spans).isEmpty();
    testKit.stop(probe);
  }

  /**
   * The order of events of one checkout in NodeEndToEndIT (curl -> frontend -> cart), with the
   * source idle between the frontend reading its request and calling the cart. Event times are
   * kernel times from years ago, as if the wall clock had been stepped after the capture opened:
   * idle ticks must not take that wall clock for event time. When they did, the first scan timed
   * out the frontend's request (and curl's), which ended the frontend thread's server request,
   * so its call to the cart became a root span of service "python3" with the cart as only child.
   */
  @Test
  void idleTicksFollowEventTimeNotTheWallClock() throws Exception {
    long t = SpanAssemblerTest.ms(0); // November 2023: far behind the wall clock
    SpanAssemblerTest.Sock curl =
        SpanAssemblerTest.client("curl", 300, 5, "127.0.0.1:50000", "127.0.0.1:8081");
    SpanAssemblerTest.Sock frontend =
        SpanAssemblerTest.server("python3", 100, 4, "127.0.0.1:8081", "127.0.0.1:50000");
    SpanAssemblerTest.Sock toCart =
        SpanAssemblerTest.client("python3", 100, 5, "127.0.0.1:41000", "127.0.0.1:8082");
    SpanAssemblerTest.Sock cart =
        SpanAssemblerTest.server("python3", 200, 4, "127.0.0.1:8082", "127.0.0.1:41000");
    String request = "GET /checkout HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    String failed = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
    ScriptedSource source = new ScriptedSource();
    source.script.add(
        List.of(
            curl.connectInProgress(t),
            frontend.accept(t + ms(1)),
            curl.out(t + ms(2), 301, request),
            frontend.in(t + ms(3), 101, request)));
    // Idle polls: the probe ticks (and the assembler scans) while the frontend calls the cart.
    for (int i = 0; i < 5; i++) {
      source.script.add(List.of());
    }
    source.script.add(
        List.of(
            toCart.connectInProgress(t + ms(150)),
            toCart.out(t + ms(151), 101, request),
            cart.accept(t + ms(151)),
            cart.in(t + ms(152), 201, request),
            cart.out(t + ms(153), 201, failed),
            toCart.in(t + ms(154), 101, failed),
            toCart.close(t + ms(155)),
            frontend.out(t + ms(156), 101, failed),
            curl.in(t + ms(157), 301, failed)));
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();

    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(CaptureAssemblySettings.create(CONFIG), source::poll, spans::add),
            "event-time-probe",
            ProbeActor.DISPATCHER);
    List<Span> got = new java.util.ArrayList<>();
    while (got.size() < 4) {
      Span span = spans.poll(10, TimeUnit.SECONDS);
      assertThat(span).as("spans so far: " + got).isNotNull();
      got.add(span);
    }
    TestProbe<CaptureCounters> replies = testKit.createTestProbe();
    probe.tell(new ProbeActor.GetCounters(replies.getRef()));
    CaptureCounters counters = replies.receiveMessage(Duration.ofSeconds(5));
    testKit.stop(probe);

    assertThat(counters.timeouts()).isZero();
    assertThat(got).extracting(Span::error).containsOnlyNulls();
    assertThat(got).extracting(Span::status).containsOnly(500);
    assertThat(got).extracting(Span::traceId).containsOnly(got.get(0).traceId());
    Span frontendServer = only(got, "python3:8081", Span.Kind.SERVER);
    Span frontendCall = only(got, "python3:8081", Span.Kind.CLIENT);
    assertThat(frontendCall.parentSpanId()).isEqualTo(frontendServer.spanId());
    assertThat(frontendServer.parentSpanId()).isEqualTo(only(got, "curl", Span.Kind.CLIENT).spanId());
    assertThat(only(got, "python3:8082", Span.Kind.SERVER).parentSpanId()).isEqualTo(frontendCall.spanId());
  }

  /**
   * After a capture handover the new node re-reads what the old one had read: the exchange the
   * old node had finished (and sent) is rebuilt but not sent again, the exchange it left open is
   * completed by the new events and sent once; checkpoints start once the replay is over.
   */
  @Test
  void aReplayAfterAHandoverSendsOnlyWhatThePredecessorHadNotSent() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 5_000_000_000L;
    HandoverSource source = new HandoverSource(t0 + 1_000_000_000L);
    source.script.add(
        new HandoverSource.Batch(
            true,
            List.of(
                accept(t0),
                read(t0 + 1_000_000, "GET /sent-before HTTP/1.1\r\n\r\n"),
                write(t0 + 2_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
                read(t0 + 3_000_000, "GET /left-open HTTP/1.1\r\n\r\n"))));
    source.script.add(
        new HandoverSource.Batch(
            false,
            List.of(write(t0 + 2_000_000_000L, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"))));
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();

    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(CaptureAssemblySettings.create(CONFIG), source, spans::add),
            "handover-probe",
            ProbeActor.DISPATCHER);

    Span span = spans.poll(10, TimeUnit.SECONDS);
    assertThat(span).isNotNull();
    assertThat(span.path()).isEqualTo("/left-open");
    assertThat(span.status()).isEqualTo(503);
    assertThat(spans.poll(1, TimeUnit.SECONDS)).as("/sent-before is not sent again").isNull();
    assertThat(source.checkpointsDuringReplay.get()).isZero();
    assertThat(source.lastCheckpoint).isGreaterThanOrEqualTo(t0 + 2_000_000_000L);
    testKit.stop(probe);
  }

  /**
   * With a round listener the source checkpoints only rounds the span consumer reported safe:
   * spans handed over but not yet delivered are captured again after a crash.
   */
  @Test
  void theSourceCheckpointsOnlyRoundsReportedSafe() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 5_000_000_000L;
    HandoverSource source = new HandoverSource(Long.MIN_VALUE);
    source.script.add(
        new HandoverSource.Batch(
            false,
            List.of(
                accept(t0),
                read(t0 + 1_000_000, "GET /x HTTP/1.1\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n"),
                write(t0 + 2_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))));
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    BlockingQueue<Long> rounds = new LinkedBlockingQueue<>();
    java.util.concurrent.atomic.AtomicReference<ActorRef<ProbeActor.Command>> self =
        new java.util.concurrent.atomic.AtomicReference<>();

    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(
                CaptureAssemblySettings.create(CONFIG),
                CapturePolicySettings.DEFAULT,
                source,
                new NoKernel(),
                spans::add,
                link -> {},
                (round, ref) -> {
                  self.set(ref);
                  rounds.add(round);
                }),
            "safe-rounds-probe",
            ProbeActor.DISPATCHER);

    assertThat(spans.poll(10, TimeUnit.SECONDS)).isNotNull();
    Long first = rounds.poll(10, TimeUnit.SECONDS);
    assertThat(first).isNotNull();
    Thread.sleep(200);
    assertThat(source.lastCheckpointPosition).as("nothing reported safe yet").isEqualTo(-1);
    self.get().tell(new ProbeActor.SpansSafe(first));
    testKit.createTestProbe().awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertThat(source.lastCheckpointPosition).isPositive();
          return null;
        });
    testKit.stop(probe);
  }

  @Test
  void aHeldProbeDoesNotReadItsSourceUntilReleased() throws Exception {
    long t0 = System.currentTimeMillis() * 1_000_000L - 2_000_000_000L;
    ScriptedSource source = new ScriptedSource();
    BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
    EventSource adapted = EventSource.closing(source::poll, source);
    ActorRef<ProbeActor.Command> probe =
        testKit.spawn(
            ProbeActor.create(CaptureAssemblySettings.create(CONFIG), adapted, spans::add),
            "held-probe",
            ProbeActor.DISPATCHER);
    TestProbe<CaptureCounters> replies = testKit.createTestProbe();
    probe.tell(new ProbeActor.Hold(true));
    probe.tell(new ProbeActor.GetCounters(replies.getRef()));
    replies.receiveMessage(Duration.ofSeconds(5)); // the hold is in force from here on
    int pollsWhenHeld = source.polls.get();
    source.script.add(List.of(accept(t0), read(t0 + 1_000_000, "GET /held HTTP/1.1\r\n\r\n")));
    source.script.add(List.of(write(t0 + 2_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
    Thread.sleep(500); // several poll intervals
    assertThat(source.polls.get()).as("held: not polled").isEqualTo(pollsWhenHeld);
    assertThat(spans).isEmpty();

    probe.tell(new ProbeActor.Hold(false));
    Span span = spans.poll(10, TimeUnit.SECONDS);
    assertThat(span).as("released: the buffered request is read and sent").isNotNull();
    assertThat(span.path()).isEqualTo("/held");
    testKit.stop(probe);
  }

  /** Switches that remember nothing: this test is not about policies. */
  private static final class NoKernel implements CaptureControl {
    @Override
    public void setCaptureEnabled(boolean enabled) {}

    @Override
    public boolean captureEnabled() {
      return true;
    }

    @Override
    public void setPayloadBytes(int bytes) {}

    @Override
    public int payloadBytes() {
      return 1024;
    }

    @Override
    public void setProcessPolicy(int pid, dev.rootline.bpf.ProcessPolicy policy) {}

    @Override
    public void clearProcessPolicy(int pid) {}

    @Override
    public java.util.Optional<dev.rootline.bpf.ProcessPolicy> processPolicy(int pid) {
      return java.util.Optional.empty();
    }
  }

  /** Batches flagged as replayed or not, the predecessor's clock, checkpoints recorded. */
  static final class HandoverSource implements EventSource {
    record Batch(boolean replayed, List<CaptureEvent> events) {}

    final Queue<Batch> script = new ArrayDeque<>();
    final AtomicInteger checkpointsDuringReplay = new AtomicInteger();
    final long replayClock;
    volatile long lastCheckpoint = Long.MIN_VALUE;
    volatile long lastCheckpointPosition = -1;
    private boolean replayed;

    HandoverSource(long replayClock) {
      this.replayClock = replayClock;
    }

    private long polls;

    @Override
    public synchronized int poll(Consumer<CaptureEvent> sink) {
      polls++;
      Batch next = script.poll();
      replayed = next != null && next.replayed();
      if (next == null) {
        return 0;
      }
      next.events().forEach(sink);
      return next.events().size();
    }

    @Override
    public synchronized boolean lastPollReplayed() {
      return replayed;
    }

    @Override
    public long replayClockNanos() {
      return replayClock;
    }

    @Override
    public synchronized long position() {
      return polls;
    }

    @Override
    public synchronized void checkpoint(long position, long eventClockNanos) {
      if (replayed) {
        checkpointsDuringReplay.incrementAndGet();
      }
      lastCheckpoint = eventClockNanos;
      lastCheckpointPosition = position;
    }
  }

  private static Span only(List<Span> spans, String service, Span.Kind kind) {
    List<Span> matching =
        spans.stream().filter(s -> s.service().equals(service) && s.kind() == kind).toList();
    assertThat(matching).as(service + " " + kind + " in " + spans).hasSize(1);
    return matching.get(0);
  }

  private static long ms(long millis) {
    return millis * 1_000_000L;
  }

  // ---- builders ----

  /** Hands out one scripted batch per poll, then nothing; shaped like the native session. */
  static final class ScriptedSource implements AutoCloseable {
    final Queue<List<CaptureEvent>> script = new ArrayDeque<>();
    final AtomicInteger polls = new AtomicInteger();
    final CountDownLatch closed = new CountDownLatch(1);
    volatile String threadName = "";
    volatile boolean failNext;

    public synchronized int poll(Consumer<CaptureEvent> sink) {
      polls.incrementAndGet();
      threadName = Thread.currentThread().getName();
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("ring buffer hiccup");
      }
      List<CaptureEvent> batch = script.poll();
      if (batch == null) {
        return 0;
      }
      batch.forEach(sink);
      return batch.size();
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  private static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.2", 8081);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.9", 50000);

  static CaptureEvent accept(long t) {
    return event(CaptureEvent.Type.ACCEPT, Direction.NONE, t, 7, new byte[0]);
  }

  static CaptureEvent read(long t, String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    return event(CaptureEvent.Type.DATA, Direction.INGRESS, t, b.length, b);
  }

  static CaptureEvent write(long t, String text) {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    return event(CaptureEvent.Type.DATA, Direction.EGRESS, t, b.length, b);
  }

  static CaptureEvent event(CaptureEvent.Type type, Direction d, long t, long ret, byte[] payload) {
    return new CaptureEvent(type, d, t, t + 10_000, 100, 101, 7, "python3", LOCAL, REMOTE, ret, payload, false);
  }
}
