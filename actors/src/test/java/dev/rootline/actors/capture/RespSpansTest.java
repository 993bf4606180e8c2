package dev.rootline.actors.capture;

import static dev.rootline.actors.capture.SpanAssemblerTest.client;
import static dev.rootline.actors.capture.SpanAssemblerTest.ms;
import static dev.rootline.actors.capture.SpanAssemblerTest.server;
import static dev.rootline.actors.capture.SpanAssemblerTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Redis (RESP) commands become spans like HTTP requests: the Redis server's and its callers'. */
class RespSpansTest {

  private final List<Span> spans = new ArrayList<>();
  private final SpanAssembler assembler =
      new SpanAssembler(settings(), spans::add, new SplittableRandom(3));

  private final SpanAssemblerTest.Sock web = server("python3", 100, 7, "10.0.0.2:8083", "10.0.0.1:50000");
  private final SpanAssemblerTest.Sock cart = client("python3", 100, 9, "10.0.0.2:41000", "10.0.0.4:6379");
  private final SpanAssemblerTest.Sock redis = server("redis-server", 300, 8, "10.0.0.4:6379", "10.0.0.2:41000");

  @Test
  void a_command_made_while_serving_a_request_is_its_child_and_the_redis_server_span_its_grandchild() {
    String get = "*2\r\n$3\r\nGET\r\n$6\r\ncart:3\r\n";
    assembler.acceptBatch(List.of(
        web.accept(ms(0)),
        web.in(ms(1), 101, "GET /cart?item=3 HTTP/1.1\r\nHost: x\r\n\r\n"),
        cart.connect(ms(2)),
        redis.accept(ms(2) + 50_000),
        cart.out(ms(3), 101, get),
        redis.in(ms(3) + 20_000, 301, get),
        redis.out(ms(40), 301, "$2\r\nok\r\n"),
        cart.in(ms(40) + 30_000, 101, "$2\r\nok\r\n"),
        web.out(ms(41), 101, SpanAssemblerTest.ok())));
    assembler.tick(ms(500));

    Span http = find(Span.Kind.SERVER, "python3:8083");
    Span call = find(Span.Kind.CLIENT, "python3:8083");
    Span store = find(Span.Kind.SERVER, "redis-server:6379");
    assertThat(call.method()).isEqualTo("GET");
    assertThat(call.status()).isEqualTo(200);
    assertThat(call.parentSpanId()).isEqualTo(http.spanId());
    assertThat(store.parentSpanId()).isEqualTo(call.spanId());
    assertThat(store.traceId()).isEqualTo(http.traceId());
    assertThat(store.endEpochNanos() - store.startEpochNanos()).isGreaterThan(30_000_000L);
    assertThat(store.requestExcerpt()).contains("cart:3");
  }

  @Test
  void pipelined_commands_pair_with_their_replies_in_order_and_an_error_reply_is_status_500() {
    assembler.acceptBatch(List.of(
        redis.accept(ms(0)),
        redis.in(ms(1), 301, "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"),
        redis.out(ms(2), 301, "+PONG\r\n+OK\r\n-ERR value is not an integer or out of range\r\n")));
    assembler.tick(ms(500));

    assertThat(spans).extracting(Span::method, Span::status)
        .containsExactlyInAnyOrder(
            SpanAssemblerTest.tuple("PING", 200),
            SpanAssemblerTest.tuple("SET", 200),
            SpanAssemblerTest.tuple("INCR", 500));
    assertThat(assembler.counters().nonHttpConnections()).isZero();
  }

  @Test
  void nested_arrays_and_a_reply_split_over_two_reads_are_one_message() {
    assembler.acceptBatch(List.of(
        cart.connect(ms(0)),
        cart.out(ms(1), 201, "*2\r\n$4\r\nSCAN\r\n$1\r\n0\r\n"),
        cart.in(ms(2), 201, "*2\r\n$1\r\n0\r\n*2\r\n$3\r\nab"),
        cart.in(ms(9), 201, "c\r\n$1\r\nd\r\n")));
    assembler.tick(ms(500));

    assertThat(spans).hasSize(1);
    assertThat(spans.get(0).method()).isEqualTo("SCAN");
    assertThat(spans.get(0).endEpochNanos()).isEqualTo(ms(9) + 10_000);
  }

  @Test
  void a_connection_joined_midway_is_recognised_by_its_next_command() {
    assembler.acceptBatch(List.of(
        cart.in(ms(1), 201, "+OK\r\n"), // the reply to a command sent before capture started
        cart.out(ms(2), 201, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"),
        cart.in(ms(3), 201, "$-1\r\n")));
    assembler.tick(ms(500));

    assertThat(spans).extracting(Span::kind, Span::method, Span::status)
        .containsExactly(SpanAssemblerTest.tuple(Span.Kind.CLIENT, "GET", 200));
  }

  @Test
  void bytes_that_are_neither_http_nor_resp_are_a_non_http_connection() {
    assembler.acceptBatch(List.of(
        redis.accept(ms(0)),
        redis.in(ms(1), 301, "*x\r\n"),
        redis.in(ms(2), 301, "*2\r\n?bad\r\n")));
    assembler.tick(ms(500));

    assertThat(spans).isEmpty();
  }

  private Span find(Span.Kind kind, String service) {
    return spans.stream()
        .filter(s -> s.kind() == kind && s.service().equals(service))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " span of " + service + " in " + spans));
  }
}
