package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssuePage;
import dev.rootline.persistence.IssueQueries;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /api/v1/issues} and issue messages on the stream: a real server on a free port, backed
 * by an in-memory {@link IssueQueries} (the Cassandra-backed one is tested in persistence/).
 */
@ExtendWith(VertxExtension.class)
class IssueApiTest {

  static final long T0 = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
  static final RootCause CART =
      new RootCause(RootCause.Level.SERVICE, "cart:8083", "cart:8083", null, 0.7,
          List.of("p99 self time of cart:8083 rose from 4 ms to 310 ms, on host-b only"));
  static final RootCause HOST_B =
      new RootCause(RootCause.Level.HOST, "host-b", null, "host-b", 0.3, List.of("anomalous traces pass host-b"));

  final InMemoryIssues issues = new InMemoryIssues();
  final InMemoryIssueFeed issueFeed = new InMemoryIssueFeed();
  final ApiServerTest.InMemoryFeed traceFeed = new ApiServerTest.InMemoryFeed();

  ApiServer server;
  WebClient http;
  WebSocketClient webSockets;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    issues.add(summary("a1", "frontend:8080", 0.9, 40), CART, HOST_B);
    issues.add(summary("b2", "cart:8083", 0.5, 3), CART);
    issues.add(summary("c3", "frontend:8080", 0.1, 1));
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
                .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        ApiServer.start(
                vertx, settings, new ApiServerTest.InMemoryTraces(), java.util.Map::of, traceFeed,
                new IssueSources(issues, issueFeed))
            .await(10, SECONDS);
    http = ApiCalls.client(vertx);
    webSockets = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await(10, SECONDS);
    http.close();
    webSockets.close().await(10, SECONDS);
    assertThat(issueFeed.listeners).as("the server unsubscribed from the issue feed").isEmpty();
  }

  @Test
  void listsIssuesByPriorityWithPaging() throws Exception {
    JsonObject body = okJson("/api/v1/issues");
    assertThat(ids(body.getJsonArray("issues"))).containsExactly("a1", "b2", "c3");
    assertThat(body.getInteger("count")).isEqualTo(3);
    assertThat(body.getInteger("total")).isEqualTo(3);
    assertThat(body.getInteger("limit")).isEqualTo(50);
    assertThat(body.getInteger("offset")).isZero();
    assertThat(issues.lastFilter).isEqualTo(new IssueFilter(null, null, 50, 0));

    JsonObject first = body.getJsonArray("issues").getJsonObject(0);
    assertThat(first.getString("title")).isEqualTo("500s at a1");
    assertThat(first.getString("kind")).isEqualTo("failure");
    assertThat(first.getString("service")).isEqualTo("frontend:8080");
    assertThat(first.getString("endpoint")).isEqualTo("GET /checkout");
    assertThat(first.getString("status")).isEqualTo("open");
    assertThat(first.getDouble("priority")).isEqualTo(0.9);
    assertThat(first.getLong("occurrences")).isEqualTo(40);
    assertThat(first.getLong("affectedRequests")).isEqualTo(120);
    assertThat(first.getString("firstSeen")).isEqualTo("2026-11-27T10:00:00Z");
    assertThat(first.getLong("lastSeenEpochMillis")).isEqualTo(T0 + 60_000);
    assertThat(first.getJsonObject("topRootCause").getString("subject")).isEqualTo("cart:8083");
    assertThat(first.getJsonObject("topRootCause").getString("level")).isEqualTo("service");
    assertThat(first.getString("link")).isEqualTo("/api/v1/issues/a1");

    JsonObject page = okJson("/api/v1/issues?limit=1&offset=1&service=frontend:8080&status=open");
    assertThat(ids(page.getJsonArray("issues"))).containsExactly("c3");
    assertThat(page.getInteger("total")).isEqualTo(2);
    assertThat(issues.lastFilter).isEqualTo(new IssueFilter("frontend:8080", "open", 1, 1));
    assertThat(okJson("/api/v1/issues?offset=3").getJsonArray("issues")).isEmpty();
  }

  @Test
  void oneIssueShowsTimelineExamplesAndRankedRootCauses() throws Exception {
    JsonObject body = okJson("/api/v1/issues/A1");
    assertThat(body.getJsonObject("issue").getString("issueId")).isEqualTo("a1");
    JsonArray timeline = body.getJsonArray("timeline");
    assertThat(timeline).hasSize(2);
    assertThat(timeline.getJsonObject(0))
        .isEqualTo(new JsonObject().put("start", "2026-11-27T10:00:00Z").put("startEpochMillis", T0).put("occurrences", 30L));
    assertThat(body.getJsonArray("exampleTraces").getJsonObject(0))
        .isEqualTo(new JsonObject().put("traceId", "ab".repeat(16)).put("link", "/api/v1/traces/" + "ab".repeat(16)));
    JsonArray causes = body.getJsonArray("rootCauses");
    assertThat(causes).hasSize(2);
    assertThat(causes.getJsonObject(0))
        .isEqualTo(
            new JsonObject()
                .put("level", "service")
                .put("subject", "cart:8083")
                .put("service", "cart:8083")
                .putNull("host")
                .put("probability", 0.7)
                .put("evidence", new JsonArray().add("p99 self time of cart:8083 rose from 4 ms to 310 ms, on host-b only")));
    assertThat(causes.getJsonObject(1).getString("host")).isEqualTo("host-b");
  }

  @Test
  void unknownIssueIs404() throws Exception {
    HttpResponse<Buffer> response = get("/api/v1/issues/dead");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("error", "not found").put("detail", "no issue dead"));
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("/api/v1/issues?limit=abc", "limit must be an integer between 1 and 1000, got 'abc'"),
        Arguments.of("/api/v1/issues?limit=0", "limit must be an integer between 1 and 1000, got '0'"),
        Arguments.of("/api/v1/issues?limit=-1", "limit must be an integer between 1 and 1000, got '-1'"),
        Arguments.of("/api/v1/issues?limit=1001", "limit must be an integer between 1 and 1000, got '1001'"),
        Arguments.of("/api/v1/issues?offset=-1", "offset must be an integer between 0 and 100000, got '-1'"),
        Arguments.of("/api/v1/issues?offset=ten", "offset must be an integer between 0 and 100000, got 'ten'"),
        Arguments.of("/api/v1/issues?offset=100001", "offset must be an integer between 0 and 100000, got '100001'"),
        Arguments.of(
            "/api/v1/issues?offset=99999999999999999999",
            "offset must be an integer between 0 and 100000, got '99999999999999999999'"),
        Arguments.of("/api/v1/issues?status=closed", "status must be one of open, muted, resolved, got 'closed'"),
        Arguments.of("/api/v1/issues?page=2", "unknown query parameter 'page'; allowed: service, status, limit, offset"),
        Arguments.of("/api/v1/issues?offset=1&offset=2", "query parameter 'offset' given 2 times; give it once"),
        Arguments.of("/api/v1/issues/not-hex", "issueId must be 1 to 64 hex characters, got 'not-hex'"),
        Arguments.of("/api/v1/issues/" + "a".repeat(65), "issueId must be 1 to 64 hex characters, got '" + "a".repeat(64) + "...'"),
        Arguments.of("/api/v1/issues/a1?verbose=1", "unknown query parameter 'verbose'; this route takes none"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void refusesBadParametersWith400(String uri, String detail) throws Exception {
    ApiCalls.assertBadRequest(get(uri), detail);
  }

  @Test
  void failingOrSilentStoreIs503() throws Exception {
    issues.failure = new IllegalStateException("All host(s) tried for query failed (cassandra down)");
    for (String uri : List.of("/api/v1/issues", "/api/v1/issues/a1")) {
      HttpResponse<Buffer> response = get(uri);
      assertThat(response.statusCode()).as(uri).isEqualTo(503);
      assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("store unavailable");
      assertThat(response.bodyAsJsonObject().getString("detail")).contains("cassandra down");
    }
    issues.failure = null;
    issues.hang = true;
    HttpResponse<Buffer> response = get("/api/v1/issues");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.bodyAsJsonObject().getString("detail"))
        .isEqualTo("the trace store did not answer listing issues within 300 ms");
  }

  @Test
  void streamPushesNewAndUpdatedIssuesNextToTraces() throws Exception {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    ClientWebSocket socket = webSockets.webSocket();
    socket.textMessageHandler(text -> received.add(new JsonObject(text)));
    socket.connect(ApiCalls.stream(server.port())).await(5, SECONDS);
    ApiServerTest.waitFor(() -> !received.isEmpty(), 5_000); // "subscribed"

    IssueSummary opened = summary("d4", "cart:8083", 0.4, 1);
    IssueSummary updated = summary("d4", "cart:8083", 0.6, 2);
    new Thread(() -> {
      issueFeed.publish(opened);
      issueFeed.publish(updated);
    }).start();

    ApiServerTest.waitFor(() -> received.size() >= 3, 5_000);
    assertThat(received.get(0).getString("type")).isEqualTo("subscribed");
    assertThat(received.get(1))
        .isEqualTo(new JsonObject().put("type", "issue-opened").put("issue", IssueJson.summary(opened)));
    assertThat(received.get(2).getString("type")).isEqualTo("issue-updated");
    assertThat(received.get(2).getJsonObject("issue").getLong("occurrences")).isEqualTo(2);
    assertThat(issueFeed.listeners).as("one subscription per server").hasSize(1);
    socket.close().await(5, SECONDS);
  }

  // ---- helpers

  HttpResponse<Buffer> get(String uri) throws Exception {
    return ApiCalls.get(http, server.port(), uri);
  }

  JsonObject okJson(String uri) throws Exception {
    return ApiCalls.okJson(get(uri), uri);
  }

  static List<String> ids(JsonArray issues) {
    List<String> ids = new ArrayList<>();
    issues.forEach(i -> ids.add(((JsonObject) i).getString("issueId")));
    return ids;
  }

  /** An open failure issue on GET /checkout; priority is given, not computed (the store's job). */
  static IssueSummary summary(String id, String service, double priority, long occurrences) {
    return new IssueSummary(id, "500s at " + id, "failure", service, "GET /checkout", T0, T0 + 60_000,
        occurrences, occurrences * 3, 0.8, priority, priority > 0.5 ? CART : null, IssueSummary.OPEN);
  }

  /** Issues in memory, listed like the read side: filtered, highest priority first, paged. */
  static final class InMemoryIssues extends TestStore implements IssueQueries {
    final List<IssueDetail> all = new CopyOnWriteArrayList<>();
    volatile IssueFilter lastFilter;

    void add(IssueSummary summary, RootCause... causes) {
      all.add(
          new IssueDetail(
              summary,
              List.of(
                  new IssueDetail.TimelineBucket(T0, 30), new IssueDetail.TimelineBucket(T0 + 600_000, 10)),
              List.of("ab".repeat(16), "cd".repeat(16)),
              List.of(causes)));
    }

    @Override
    public CompletionStage<IssuePage> list(IssueFilter filter) {
      lastFilter = filter;
      return answer(
          () -> {
            List<IssueSummary> matching =
                all.stream()
                    .map(IssueDetail::summary)
                    .filter(s -> filter.service() == null || filter.service().equals(s.service()))
                    .filter(s -> filter.status() == null || filter.status().equals(s.status()))
                    .sorted(Comparator.comparingDouble(IssueSummary::priority).reversed())
                    .toList();
            return new IssuePage(
                matching.stream().skip(filter.offset()).limit(filter.limit()).toList(), matching.size());
          });
    }

    @Override
    public CompletionStage<Optional<IssueDetail>> get(String issueId) {
      return answer(() -> all.stream().filter(d -> d.summary().issueId().equals(issueId)).findFirst());
    }
  }

  /** The issue feed as the node's pub-sub adapter would be. */
  static final class InMemoryIssueFeed extends TestFeed<IssueSummary> implements IssueFeed {}
}
