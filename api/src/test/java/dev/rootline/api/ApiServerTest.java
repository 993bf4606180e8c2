package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceQueries;
import dev.rootline.persistence.TraceSummary;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real API server on a free port, backed by an in-memory {@link TraceQueries} (the
 * Cassandra-backed one is tested in persistence/), driven through WebClient and WebSocketClient.
 */
@ExtendWith(VertxExtension.class)
class ApiServerTest {

  static final String CHECKOUT = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String PAYMENT = "0af7651916cd43dd8448eb211c80319c";
  static final String CART = "00f067aa0ba902b700f067aa0ba902b7";
  static final long T0 = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli() * 1_000_000L;
  static final long MS = 1_000_000L;

  final InMemoryTraces traces = new InMemoryTraces();
  final InMemoryFeed feed = new InMemoryFeed();
  final AtomicReference<Map<String, Object>> stats =
      new AtomicReference<>(Map.of("traces", Map.of("retained", 3L)));

  Vertx vertx;
  ApiServer server;
  // Kept in fields: an unreferenced Vert.x 5 client can be closed by GC mid-request.
  WebClient http;
  WebSocketClient webSockets;
  NetClient tcp;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    traces.add(checkoutTrace());
    traces.add(trace(PAYMENT, span(PAYMENT, "b1", null, "python3:8082", 10_000, 5, 200)));
    traces.add(trace(CART, span(CART, "c1", null, "python3:8081", 20_000, 7, 200)));
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString(
                    "rootline.api { port = 0, store-timeout = 300ms, "
                        + "stream { max-connections = 2, max-queued-messages = 2 } }")
                .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        ApiServer.start(vertx, settings, traces, () -> stats.get(), feed).await(10, SECONDS);
    http = ApiCalls.client(vertx);
    webSockets = vertx.createWebSocketClient();
    tcp = vertx.createNetClient();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await(10, SECONDS);
    http.close();
    tcp.close().await(10, SECONDS);
    webSockets.close().await(10, SECONDS);
    assertThat(feed.listeners).as("the server unsubscribed from the feed").isEmpty();
  }

  // ---- list

  @Test
  void listsRetainedTracesNewestFirst() throws Exception {
    JsonObject body = okJson("/api/v1/traces");
    assertThat(traceIds(body.getJsonArray("traces"))).containsExactly(CART, PAYMENT, CHECKOUT);
    assertThat(body.getInteger("count")).isEqualTo(3);
    assertThat(body.getInteger("limit")).isEqualTo(50);
    assertThat(traces.lastFilter.limit()).isEqualTo(50);

    JsonObject checkout = body.getJsonArray("traces").getJsonObject(2);
    assertThat(checkout.getString("start")).isEqualTo("2024-05-01T12:00:00Z");
    assertThat(checkout.getLong("startEpochNanos")).isEqualTo(T0);
    assertThat(checkout.getLong("durationNanos")).isEqualTo(120 * MS);
    assertThat(checkout.getDouble("durationMs")).isEqualTo(120.0);
    assertThat(checkout.getString("rootService")).isEqualTo("python3:8080");
    assertThat(checkout.getInteger("spanCount")).isEqualTo(5);
    assertThat(checkout.getJsonArray("reasons").getList()).containsExactly("status 500 from python3:8083");
  }

  @Test
  void filtersByServiceTimeAndLimit() throws Exception {
    assertThat(traceIds(okJson("/api/v1/traces?service=python3:8081").getJsonArray("traces")))
        .containsExactly(CART, CHECKOUT);
    assertThat(traceIds(okJson("/api/v1/traces?from=2024-05-01T12:00:05Z").getJsonArray("traces")))
        .containsExactly(CART, PAYMENT);
    long fifteenSeconds = (T0 / MS) + 15_000;
    assertThat(traceIds(okJson("/api/v1/traces?to=" + fifteenSeconds).getJsonArray("traces")))
        .containsExactly(PAYMENT, CHECKOUT);
    assertThat(
            traceIds(
                okJson("/api/v1/traces?from=2024-05-01T14:00:05%2B02:00&to=2024-05-01T12:00:15Z&service=")
                    .getJsonArray("traces")))
        .containsExactly(PAYMENT);
    assertThat(traces.lastFilter)
        .isEqualTo(
            new TraceFilter(
                null,
                Instant.parse("2024-05-01T12:00:05Z"),
                Instant.parse("2024-05-01T12:00:15Z"),
                50));
    JsonObject one = okJson("/api/v1/traces?limit=1");
    assertThat(traceIds(one.getJsonArray("traces"))).containsExactly(CART);
    assertThat(one.getInteger("limit")).isEqualTo(1);
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of(
            "/api/v1/traces?limit=abc", "limit must be an integer between 1 and 1000, got 'abc'"),
        Arguments.of(
            "/api/v1/traces?limit=0", "limit must be an integer between 1 and 1000, got '0'"),
        Arguments.of(
            "/api/v1/traces?limit=1001", "limit must be an integer between 1 and 1000, got '1001'"),
        Arguments.of(
            "/api/v1/traces?limit=-5", "limit must be an integer between 1 and 1000, got '-5'"),
        Arguments.of(
            "/api/v1/traces?limit=99999999999999999999",
            "limit must be an integer between 1 and 1000, got '99999999999999999999'"),
        Arguments.of(
            "/api/v1/traces?from=yesterday",
            "from must be an ISO-8601 instant such as 2024-05-01T12:00:00Z or epoch milliseconds,"
                + " got 'yesterday'"),
        Arguments.of(
            "/api/v1/traces?to=2024-05-01",
            "to must be an ISO-8601 instant such as 2024-05-01T12:00:00Z or epoch milliseconds,"
                + " got '2024-05-01'"),
        Arguments.of(
            "/api/v1/traces?from=2024-05-01T13:00:00Z&to=2024-05-01T12:00:00Z",
            "from (2024-05-01T13:00:00Z) must be before to (2024-05-01T12:00:00Z)"),
        Arguments.of(
            "/api/v1/traces?from=1714564800000&to=1714564800000",
            "from (2024-05-01T12:00:00Z) must be before to (2024-05-01T12:00:00Z)"),
        Arguments.of(
            "/api/v1/traces?servce=x",
            "unknown query parameter 'servce'; allowed: service, from, to, limit"),
        Arguments.of(
            "/api/v1/traces?limit=1&limit=2",
            "query parameter 'limit' given 2 times; give it once"),
        Arguments.of(
            "/api/v1/traces/not-a-trace-id", "traceId must be 32 hex characters, got 'not-a-trace-id'"),
        Arguments.of(
            "/api/v1/traces/" + CHECKOUT + "0",
            "traceId must be 32 hex characters, got '" + CHECKOUT + "0'"),
        Arguments.of(
            "/api/v1/traces/" + CHECKOUT + "?verbose=1",
            "unknown query parameter 'verbose'; this route takes none"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void refusesBadParametersWith400(String uri, String detail) throws Exception {
    ApiCalls.assertBadRequest(get(uri), detail);
  }

  @Test
  void malformedQueryEncodingIs400AndServerKeepsServing() throws Exception {
    HttpResponse<Buffer> response = get("/api/v1/traces?service=%zz");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("bad request");
    assertThat(response.bodyAsJsonObject().getString("detail")).startsWith("malformed request: ");

    HttpResponse<Buffer> badPath = get("/api/v1/traces/%zz");
    assertThat(badPath.statusCode()).isEqualTo(400);
    assertThat(badPath.bodyAsJsonObject().getString("error")).isEqualTo("bad request");
    assertThat(get("/api/v1/health").statusCode()).isEqualTo(200);
  }

  @Test
  void garbageOnTheWireGetsA400AndTheServerKeepsServing() throws Exception {
    String answer =
        rawHttp("NOT HTTP AT ALL \u0001\u0002\r\n\r\n")
            + rawHttp("GET /api/v1/traces?limit=" + "9".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(answer)
        .contains(" 400 Bad Request")
        .contains("{\"error\":\"bad request\",\"detail\":\"malformed HTTP request\"}")
        .contains(" 414 Request-URI Too Long")
        .contains("{\"error\":\"uri too long\"");
    assertThat(okJson("/api/v1/health").getString("status")).isEqualTo("ok");
  }

  // ---- one trace

  @Test
  void unknownTraceIs404() throws Exception {
    HttpResponse<Buffer> response = get("/api/v1/traces/" + "ab".repeat(16));
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(
            new JsonObject()
                .put("error", "not found")
                .put("detail", "no retained trace " + "ab".repeat(16)));
  }

  @Test
  void nestsSpansByParentWithTimings() throws Exception {
    JsonObject body = okJson("/api/v1/traces/" + CHECKOUT.toUpperCase());
    assertThat(body.getJsonObject("trace").getString("traceId")).isEqualTo(CHECKOUT);

    JsonArray roots = body.getJsonArray("spans");
    assertThat(spanIds(roots)).containsExactly("a1");
    JsonObject root = roots.getJsonObject(0);
    assertThat(root.getString("kind")).isEqualTo("SERVER");
    assertThat(root.getString("method")).isEqualTo("GET");
    assertThat(root.getString("path")).isEqualTo("/checkout");
    assertThat(root.getString("host")).isEqualTo("host-a");
    assertThat(root.getLong("offsetNanos")).isZero();
    assertThat(root.getDouble("durationMs")).isEqualTo(120.0);
    assertThat(spanIds(root.getJsonArray("children"))).containsExactly("a2", "a4");

    JsonObject cartCall = root.getJsonArray("children").getJsonObject(0);
    assertThat(spanIds(cartCall.getJsonArray("children"))).containsExactly("a3");
    JsonObject cart = cartCall.getJsonArray("children").getJsonObject(0);
    assertThat(cart.getString("service")).isEqualTo("python3:8081");
    assertThat(cart.getLong("offsetNanos")).isEqualTo(3 * MS);
    assertThat(cart.getDouble("offsetMs")).isEqualTo(3.0);
    assertThat(cart.getLong("durationNanos")).isEqualTo(30 * MS);
    assertThat(cart.getString("start")).isEqualTo("2024-05-01T12:00:00.003Z");
    assertThat(cart.getJsonArray("children")).isEmpty();

    JsonObject payment =
        root.getJsonArray("children").getJsonObject(1).getJsonArray("children").getJsonObject(0);
    assertThat(payment.getString("spanId")).isEqualTo("a5");
    assertThat(payment.getInteger("status")).isEqualTo(500);
    assertThat(payment.getString("error")).isEqualTo("connection reset");
    assertThat(payment.getString("requestExcerpt")).isEqualTo("POST /pay HTTP/1.1");
    assertThat(payment.getString("responseExcerpt")).isEqualTo("HTTP/1.1 500 Internal Server Error");
    assertThat(payment.getLong("offsetNanos")).isEqualTo(61 * MS);
  }

  @Test
  void spanWithParentCycleIsStillShownOnce() throws Exception {
    String odd = "cd".repeat(16);
    traces.add(
        trace(
            odd,
            span(odd, "x1", "x2", "python3:9000", 0, 10, 200),
            span(odd, "x2", "x1", "python3:9001", 1, 5, 200)));
    JsonObject body = okJson("/api/v1/traces/" + odd);
    JsonArray roots = body.getJsonArray("spans");
    assertThat(spanIds(roots)).containsExactly("x1");
    assertThat(spanIds(roots.getJsonObject(0).getJsonArray("children"))).containsExactly("x2");
    assertThat(body.getJsonObject("trace").getString("rootService")).isEqualTo("python3:9000");
  }

  // ---- stats, health, errors

  @Test
  void statsArePassedThroughAsJson() throws Exception {
    stats.set(
        Map.of(
            "capture", Map.of("events", 1234L, "lost", 0L),
            "traces", Map.of("retained", 3L, "dropped", 97L)));
    assertThat(okJson("/api/v1/stats"))
        .isEqualTo(
            new JsonObject()
                .put("capture", new JsonObject().put("events", 1234L).put("lost", 0L))
                .put("traces", new JsonObject().put("retained", 3L).put("dropped", 97L)));
  }

  @Test
  void healthIsOk() throws Exception {
    assertThat(okJson("/api/v1/health")).isEqualTo(new JsonObject().put("status", "ok"));
  }

  @Test
  void failingStoreIs503() throws Exception {
    traces.failure = new IllegalStateException("All host(s) tried for query failed (cassandra down)");
    for (String uri : List.of("/api/v1/traces", "/api/v1/traces/" + CHECKOUT)) {
      HttpResponse<Buffer> response = get(uri);
      assertThat(response.statusCode()).as(uri).isEqualTo(503);
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getString("error")).isEqualTo("store unavailable");
      assertThat(body.getString("detail")).contains("cassandra down");
    }
    assertThat(server.metrics().snapshot()).containsEntry("storeFailures", 2L);
  }

  @Test
  void storeThatNeverAnswersIs503AfterTheTimeout() throws Exception {
    traces.hang = true;
    long started = System.nanoTime();
    HttpResponse<Buffer> response = get("/api/v1/traces");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("detail"))
        .isEqualTo("the trace store did not answer listing traces within 300 ms");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(300);
  }

  @Test
  void unknownPathsAre404AndWrongMethodsAre405() throws Exception {
    for (String uri : List.of("/api/v1/nothing", "/api/v2/traces", "/api", "/apis")) {
      HttpResponse<Buffer> response = get(uri);
      assertThat(response.statusCode()).as(uri).isEqualTo(404);
      assertThat(response.bodyAsJsonObject().getString("error")).as(uri).isEqualTo("not found");
    }
    for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.DELETE, HttpMethod.PUT)) {
      HttpResponse<Buffer> response =
          http.request(method, server.port(), "127.0.0.1", "/api/v1/traces")
              .sendBuffer(Buffer.buffer("{}"))
              .await(5, SECONDS);
      assertThat(response.statusCode()).as(method.name()).isEqualTo(405);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("method not allowed");
      assertThat(response.getHeader("Allow")).as("Allow header").isEqualTo("GET");
    }
    // the Allow header lists the path's real methods, whichever they are
    HttpResponse<Buffer> rollback = get("/api/v1/models/root-cause/rollback");
    assertThat(rollback.statusCode()).isEqualTo(405);
    assertThat(rollback.getHeader("Allow")).isEqualTo("POST");
    HttpResponse<Buffer> policy =
        http.request(HttpMethod.DELETE, server.port(), "127.0.0.1", "/api/v1/policies/global").send().await(5, SECONDS);
    assertThat(policy.statusCode()).isEqualTo(405);
    assertThat(policy.getHeader("Allow")).isEqualTo("GET, PATCH, PUT");
  }

  @Test
  void unexpectedExceptionIs500Json() throws Exception {
    stats.set(null);
    HttpResponse<Buffer> response = get("/api/v1/stats");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("internal error");
    assertThat(get("/api/v1/health").statusCode()).isEqualTo(200);
  }

  @Test
  void plainGetOnTheStreamAsksForAnUpgrade() throws Exception {
    HttpResponse<Buffer> response = get("/api/v1/stream");
    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("upgrade required");
  }

  // ---- WebSocket stream

  @Test
  void streamPushesRetainedTraces(VertxTestContext test) throws Exception {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    ClientWebSocket socket = webSockets.webSocket();
    socket.textMessageHandler(
        text -> {
          JsonObject message = new JsonObject(text);
          received.add(message);
          if ("subscribed".equals(message.getString("type"))) {
            // The feed calls listeners from its own threads; publish from a non-Vert.x thread.
            new Thread(() -> feed.publish(traces.byId(PAYMENT).summary())).start();
          } else {
            test.verify(
                () -> {
                  assertThat(message.getString("type")).isEqualTo("trace-retained");
                  assertThat(message.getJsonObject("trace"))
                      .isEqualTo(TraceJson.summary(traces.byId(PAYMENT).summary()));
                  assertThat(feed.listeners).hasSize(1);
                  test.completeNow();
                });
          }
        });
    socket.connect(ApiCalls.stream(server.port())).onFailure(test::failNow);
    assertThat(test.awaitCompletion(10, SECONDS)).isTrue();
    if (test.failed()) {
      throw new AssertionError(test.causeOfFailure());
    }
  }

  @Test
  void streamRefusesConnectionsBeyondTheLimit() throws Exception {
    var first = webSockets.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
    var second = webSockets.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
    assertThat(feed.listeners).as("one subscription per server, not per socket").hasSize(1);

    assertThatThrownBy(
            () -> webSockets.connect(ApiCalls.stream(server.port())).await(5, SECONDS))
        .isInstanceOfSatisfying(
            UpgradeRejectedException.class,
            rejected -> {
              assertThat(rejected.getStatus()).isEqualTo(503);
              assertThat(new JsonObject(rejected.getBody()).getString("error"))
                  .isEqualTo("too many stream connections");
            });
    assertThat(server.metrics().snapshot()).containsEntry("streamRejected", 1L);

    // A freed slot is usable again once the server has seen the close.
    first.close().await(5, SECONDS);
    var third = connectWithin(5_000);
    assertThat(third.isClosed()).isFalse();
    second.close().await(5, SECONDS);
    third.close().await(5, SECONDS);
  }

  @Test
  void closingTheServerClosesStreamsAsGoingAway() throws Exception {
    CompletableFuture<Short> closeCode = new CompletableFuture<>();
    ClientWebSocket socket = webSockets.webSocket();
    socket.closeHandler(v -> closeCode.complete(socket.closeStatusCode()));
    socket.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
    server.close().await(5, SECONDS);
    assertThat(closeCode.get(5, SECONDS)).isEqualTo((short) 1001);
    assertThat(feed.listeners).isEmpty();
  }

  @Test
  void slowClientLosesOldestMessagesAndIsToldHowMany(VertxTestContext test) throws Exception {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    ClientWebSocket socket = webSockets.webSocket();
    socket.textMessageHandler(text -> received.add(new JsonObject(text)));
    socket.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
    waitFor(() -> !received.isEmpty(), 5_000); // "subscribed": the server has registered us
    socket.pause(); // stop reading: TCP buffers fill, then the server's queue (2) overflows

    int published = 600;
    String bulky = "x".repeat(32 * 1024);
    TraceSummary summary =
        new TraceSummary(CART, T0, MS, "svc", "GET", "/", 200, 1, List.of("svc"), 0.5, List.of(bulky), 0);
    for (int i = 0; i < published; i++) {
      feed.publish(summary);
    }
    waitFor(() -> (long) server.metrics().snapshot().get("streamMessagesDropped") > 0, 5_000);
    socket.resume();

    long dropped = (long) server.metrics().snapshot().get("streamMessagesDropped");
    waitFor(() -> countOf(received, "trace-retained") + dropped == published, 10_000);
    long notified =
        received.stream()
            .filter(m -> "messages-dropped".equals(m.getString("type")))
            .mapToLong(m -> m.getLong("count"))
            .sum();
    assertThat(notified).isEqualTo(dropped);
    test.completeNow();
  }

  // ---- helpers

  /** Sends bytes over a plain TCP connection and returns whatever the server answers. */
  String rawHttp(String request) throws Exception {
    NetSocket socket = tcp.connect(server.port(), "127.0.0.1").await(5, SECONDS);
    Buffer answer = Buffer.buffer();
    CompletableFuture<String> done = new CompletableFuture<>();
    socket.handler(answer::appendBuffer);
    socket.closeHandler(v -> done.complete(answer.toString()));
    socket.write(request);
    vertx.setTimer(2_000, t -> socket.close());
    return done.get(5, SECONDS);
  }

  HttpResponse<Buffer> get(String uri) throws Exception {
    return ApiCalls.get(http, server.port(), uri);
  }

  JsonObject okJson(String uri) throws Exception {
    return ApiCalls.okJson(get(uri), uri);
  }

  io.vertx.core.http.WebSocket connectWithin(long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      try {
        return webSockets.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
      } catch (UpgradeRejectedException stillFull) {
        if (System.currentTimeMillis() > deadline) {
          throw stillFull;
        }
        Thread.sleep(20);
      }
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition, long millis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as("condition within %d ms", millis).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  static long countOf(List<JsonObject> messages, String type) {
    return messages.stream().filter(m -> type.equals(m.getString("type"))).count();
  }

  static List<String> traceIds(JsonArray summaries) {
    List<String> ids = new ArrayList<>();
    summaries.forEach(s -> ids.add(((JsonObject) s).getString("traceId")));
    return ids;
  }

  static List<String> spanIds(JsonArray spans) {
    List<String> ids = new ArrayList<>();
    spans.forEach(s -> ids.add(((JsonObject) s).getString("spanId")));
    return ids;
  }

  /**
   * frontend GET /checkout (a1) calls the cart (a2 -> a3) and then payments (a4 -> a5), which
   * fails with a 500 and a reset connection.
   */
  static RetainedTrace checkoutTrace() {
    return new RetainedTrace(
        CHECKOUT,
        Stream.of(
            span(CHECKOUT, "a5", "a4", "python3:8083", 61, 40, 500)
                .withError("POST /pay HTTP/1.1", "HTTP/1.1 500 Internal Server Error", "connection reset"),
            span(CHECKOUT, "a1", null, "python3:8080", 0, 120, 500),
            span(CHECKOUT, "a2", "a1", "python3", 2, 32, 200).asClient(),
            span(CHECKOUT, "a3", "a2", "python3:8081", 3, 30, 200),
            span(CHECKOUT, "a4", "a1", "python3", 60, 45, 500).asClient())
            .map(SpanBuilder::build)
            .toList(),
        0.93,
        List.of("status 500 from python3:8083"),
        T0 / MS + 2_000);
  }

  static RetainedTrace trace(String traceId, SpanBuilder... spans) {
    return new RetainedTrace(
        traceId,
        Stream.of(spans).map(SpanBuilder::build).toList(),
        0.1,
        List.of("sampled"),
        T0 / MS + 60_000);
  }

  static SpanBuilder span(
      String traceId, String spanId, String parent, String service, long offsetMs, long durMs, int status) {
    return new SpanBuilder(traceId, spanId, parent, service, offsetMs, durMs, status);
  }

  /** A server span on host-a with plausible wire details; tweaks return a new builder. */
  record SpanBuilder(
      String traceId,
      String spanId,
      String parent,
      String service,
      long offsetMs,
      long durMs,
      int status,
      Span.Kind kind,
      String requestExcerpt,
      String responseExcerpt,
      String error) {

    SpanBuilder(String traceId, String spanId, String parent, String service, long offsetMs, long durMs, int status) {
      this(traceId, spanId, parent, service, offsetMs, durMs, status, Span.Kind.SERVER,
          "GET / HTTP/1.1", "HTTP/1.1 " + status, null);
    }

    SpanBuilder asClient() {
      return new SpanBuilder(traceId, spanId, parent, service, offsetMs, durMs, status,
          Span.Kind.CLIENT, requestExcerpt, responseExcerpt, error);
    }

    SpanBuilder withError(String request, String response, String why) {
      return new SpanBuilder(traceId, spanId, parent, service, offsetMs, durMs, status, kind,
          request, response, why);
    }

    Span build() {
      long start = T0 + offsetMs * MS;
      String method = requestExcerpt.substring(0, requestExcerpt.indexOf(' '));
      String path = spanId.equals("a1") ? "/checkout" : "/";
      return new Span(traceId, spanId, parent, kind, "host-a", service, 4242, method, path, status,
          start, start + durMs * MS, 120, 340, "10.200.0.2:8080", "10.200.0.3:51000",
          requestExcerpt, responseExcerpt, error);
    }
  }

  /** Retained traces in memory, queried like the read side: newest first, filtered, limited. */
  static final class InMemoryTraces extends TestStore implements TraceQueries {
    final List<RetainedTrace> all = new CopyOnWriteArrayList<>();
    volatile TraceFilter lastFilter;

    void add(RetainedTrace trace) {
      all.add(trace);
    }

    RetainedTrace byId(String traceId) {
      return all.stream().filter(t -> t.traceId().equals(traceId)).findFirst().orElseThrow();
    }

    @Override
    public CompletionStage<List<TraceSummary>> list(TraceFilter filter) {
      lastFilter = filter;
      return answer(
          () ->
              all.stream()
                  .map(RetainedTrace::summary)
                  .filter(s -> filter.service() == null || s.services().contains(filter.service()))
                  .filter(s -> filter.from() == null || nanos(filter.from()) <= s.startEpochNanos())
                  .filter(s -> filter.to() == null || s.startEpochNanos() < nanos(filter.to()))
                  .sorted(Comparator.comparingLong(TraceSummary::startEpochNanos).reversed())
                  .limit(filter.limit())
                  .toList());
    }

    @Override
    public CompletionStage<Optional<RetainedTrace>> get(String traceId) {
      return answer(() -> all.stream().filter(t -> t.traceId().equals(traceId)).findFirst());
    }

    private static long nanos(Instant instant) {
      return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
  }

  /** The retained-trace feed as the node's pub-sub adapter would be. */
  static final class InMemoryFeed extends TestFeed<TraceSummary> implements RetainedTraceFeed {}
}
