package dev.rootline.actors.capture;

import static dev.rootline.actors.capture.SpanAssemblerTest.client;
import static dev.rootline.actors.capture.SpanAssemblerTest.ms;
import static dev.rootline.actors.capture.SpanAssemblerTest.ok;
import static dev.rootline.actors.capture.SpanAssemblerTest.server;
import static dev.rootline.actors.capture.SpanAssemblerTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.capture.SpanAssemblerTest.Sock;
import dev.rootline.actors.stitch.ConnectionLink;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The accounts the assembler publishes for cross-host stitching (see the stitch package). */
class SpanAssemblerLinksTest {

  private final List<Span> spans = new ArrayList<>();
  private final List<ConnectionLink> links = new ArrayList<>();
  private final SpanAssembler assembler = assembler(spans, links, 7);

  @Test
  void bothEndsOfAKeepAliveConnectionNameItTheSameWayAndNumberItsRequests() {
    // host A's capture: a client making two requests on one connection
    Sock a = client("python3", 200, 5, "10.200.0.1:41000", "10.200.0.2:8081");
    assembler.acceptBatch(
        List.of(
            a.connect(ms(0)),
            a.out(ms(1), 201, "GET /one HTTP/1.1\r\n\r\n"),
            a.in(ms(3), 201, ok()),
            a.out(ms(4), 201, "GET /two HTTP/1.1\r\n\r\n"),
            a.in(ms(6), 201, ok())));
    // host B's capture (another assembler): the server end of the same connection
    List<ConnectionLink> serverLinks = new ArrayList<>();
    List<Span> serverSpans = new ArrayList<>();
    SpanAssembler hostB = assembler(serverSpans, serverLinks, 8);
    Sock b = server("java", 300, 9, "10.200.0.2:8081", "10.200.0.1:41000");
    hostB.acceptBatch(
        List.of(
            b.accept(ms(0)),
            b.in(ms(1), 301, "GET /one HTTP/1.1\r\n\r\n"),
            b.out(ms(2), 301, ok()),
            b.in(ms(4), 301, "GET /two HTTP/1.1\r\n\r\n"),
            b.out(ms(5), 301, ok())));
    assembler.tick(ms(100));
    hostB.tick(ms(100));

    assertThat(links).extracting(ConnectionLink::side, ConnectionLink::connectionKey, ConnectionLink::ordinal, ConnectionLink::target)
        .containsExactly(
            SpanAssemblerTest.tuple(ConnectionLink.Side.CLIENT, "10.200.0.1:41000>10.200.0.2:8081", 1, "/one"),
            SpanAssemblerTest.tuple(ConnectionLink.Side.CLIENT, "10.200.0.1:41000>10.200.0.2:8081", 2, "/two"));
    assertThat(serverLinks).extracting(ConnectionLink::side, ConnectionLink::connectionKey, ConnectionLink::ordinal, ConnectionLink::target)
        .containsExactly(
            SpanAssemblerTest.tuple(ConnectionLink.Side.SERVER, "10.200.0.1:41000>10.200.0.2:8081", 1, "/one"),
            SpanAssemblerTest.tuple(ConnectionLink.Side.SERVER, "10.200.0.1:41000>10.200.0.2:8081", 2, "/two"));
    for (int i = 0; i < 2; i++) {
      ConnectionLink c = links.get(i);
      ConnectionLink s = serverLinks.get(i);
      assertThat(c.spanId()).isEqualTo(spans.get(i).spanId());
      assertThat(c.traceId()).isEqualTo(spans.get(i).traceId());
      assertThat(s.spanId()).isEqualTo(serverSpans.get(i).spanId());
      assertThat(s.startEpochNanos()).isGreaterThanOrEqualTo(c.startEpochNanos());
      assertThat(s.endEpochNanos()).isLessThanOrEqualTo(c.endEpochNanos());
      assertThat(c.isComplete()).isTrue();
      assertThat(s.host()).isEqualTo("test-host");
    }
  }

  private static SpanAssembler assembler(List<Span> spans, List<ConnectionLink> links, long seed) {
    SpanAssembler a = new SpanAssembler(settings(), spans::add, new SplittableRandom(seed));
    a.publishLinksTo(links::add);
    return a;
  }

  @Test
  void noLinkWhenBothEndsAreOnThisHostOrTheRequestCarriedATraceparent() {
    Sock caller = client("node", 200, 5, "127.0.0.1:41000", "127.0.0.1:8081");
    Sock callee = server("python3", 100, 7, "127.0.0.1:8081", "127.0.0.1:41000");
    Sock traced = server("python3", 100, 8, "127.0.0.1:8081", "10.0.0.9:50000");
    assembler.acceptBatch(
        List.of(
            caller.connect(ms(0)),
            callee.accept(ms(0)),
            caller.out(ms(1), 201, "GET /local HTTP/1.1\r\n\r\n"),
            callee.in(ms(1), 101, "GET /local HTTP/1.1\r\n\r\n"),
            callee.out(ms(2), 101, ok()),
            caller.in(ms(3), 201, ok()),
            traced.accept(ms(4)),
            traced.in(ms(5), 102, "GET /traced HTTP/1.1\r\ntraceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n\r\n"),
            traced.out(ms(6), 102, ok())));
    assembler.tick(ms(100));

    assertThat(spans).hasSize(3);
    assertThat(links).as("the local pair is stitched here; the traced server has its parent").isEmpty();
  }
}
