package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureEvent.Direction;
import dev.rootline.persistence.Span;
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
