package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web UI's files at {@code /ui/} (and the redirects to it) and {@code GET
 * /issues/{id}/series}, the chart's data, on a real server with in-memory issues and traces.
 */
@ExtendWith(VertxExtension.class)
class WebUiTest {

  static final long T0 = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
  static final long MS = 1_000_000L;

  final IssueApiTest.InMemoryIssues issues = new IssueApiTest.InMemoryIssues();
  final ApiServerTest.InMemoryTraces traces = new ApiServerTest.InMemoryTraces();
  ApiServer server;
  WebClient http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    issues.add(new IssueSummary("a1", "500s at a1", "failure", "frontend:8080", "GET /checkout", T0, T0 + 60_000,
        4, 12, 0.8, 1.0, IssueApiTest.CART, IssueSummary.OPEN), IssueApiTest.CART);
    traces.add(trace("01", "/checkout", 1_000, 10, 200));
    traces.add(trace("02", "/checkout", 2_000, 30, 500));
    traces.add(trace("03", "/checkout", 3_000, 50, 503));
    traces.add(trace("04", "/checkout?user=7", 4_000, 5, 200)); // the same endpoint's template
    traces.add(trace("05", "/cart/42", 1_500, 900, 500)); // another endpoint of the service
    traces.add(trace("06", "/checkout", 100_000, 20, 200));
    traces.add(trace("07", "/checkout", -3_600_000, 20, 500)); // long before the window
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
                .withFallback(ApiCalls.TEST_TOKENS)
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        ApiServer.start(vertx, settings, traces, java.util.Map::of, new ApiServerTest.InMemoryFeed(),
                new IssueSources(issues, new IssueApiTest.InMemoryIssueFeed()))
            .await(10, SECONDS);
    // root's (admin) token on every request; the UI's files would be served without it
    http = WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setFollowRedirects(false)))
        .addHeader("Authorization", "Bearer " + ApiCalls.tokenOf("root"));
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await(10, SECONDS);
    http.close();
  }

  @Test
  void theRootAndUiRedirectToTheUiWhoseFilesAreServedWithAStrictContentSecurityPolicy() throws Exception {
    for (String path : List.of("/", "/ui")) {
      HttpResponse<Buffer> r = get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(302);
      assertThat(r.getHeader("Location")).isEqualTo("/ui/");
    }
    HttpResponse<Buffer> index = get("/ui/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.getHeader("Content-Type")).startsWith("text/html");
    assertThat(index.bodyAsString()).contains("<script type=\"module\" src=\"js/app.js\">");
    assertThat(index.getHeader("Content-Security-Policy")).contains("script-src 'self'").contains("connect-src 'self'");
    assertThat(index.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    for (String file : List.of("js/app.js", "js/api.js", "js/dom.js", "js/chart.js", "js/pages/issue.js", "style.css")) {
      HttpResponse<Buffer> r = get("/ui/" + file);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.getHeader("Content-Type")).as(file).containsAnyOf("javascript", "text/css");
      // No network at run time: nothing is loaded from another origin.
      String text = r.bodyAsString().replace("'http://www.w3.org/2000/svg'", "SVG_NS");
      assertThat(text).as(file).doesNotContain("http://", "https://", "innerHTML", "insertAdjacentHTML", "eval(");
    }
    HttpResponse<Buffer> missing = get("/ui/nothing-here.js");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("error")).isNotBlank();
  }

  @Test
  void theSeriesBucketsTheEndpointsRetainedTracesAroundTheIssue() throws Exception {
    JsonObject body = ApiCalls.okJson(get("/api/v1/issues/a1/series"), "series");
    // A minute of padding on either side of the minute the issue lasted, in 30 whole-second buckets.
    assertThat(body.getLong("fromEpochMillis")).isEqualTo(T0 - 60_000);
    assertThat(body.getLong("bucketMillis")).isEqualTo(6_000);
    assertThat(body.getLong("toEpochMillis")).isEqualTo(T0 + 120_000);
    assertThat(body.getString("service")).isEqualTo("frontend:8080");
    assertThat(body.getString("endpoint")).isEqualTo("GET /checkout");
    assertThat(body.getBoolean("truncated")).isFalse();
    assertThat(traces.lastFilter.service()).isEqualTo("frontend:8080");
    JsonArray buckets = body.getJsonArray("buckets");
    assertThat(buckets).hasSize(30);
    // T0 .. T0 + 6 s: four /checkout requests, two of them 5xx; /cart/42 is not counted.
    JsonObject atIssue = buckets.getJsonObject(10);
    assertThat(atIssue.getLong("startEpochMillis")).isEqualTo(T0);
    assertThat(atIssue.getLong("traces")).isEqualTo(4);
    assertThat(atIssue.getLong("errors")).isEqualTo(2);
    assertThat(atIssue.getDouble("errorRate")).isEqualTo(0.5);
    assertThat(atIssue.getDouble("p50Ms")).isEqualTo(10.0);
    assertThat(atIssue.getDouble("p95Ms")).isEqualTo(50.0);
    assertThat(atIssue.getDouble("maxMs")).isEqualTo(50.0);
    JsonObject later = buckets.getJsonObject(26); // T0 + 96 s .. T0 + 102 s
    assertThat(later.getLong("traces")).isEqualTo(1);
    assertThat(later.getDouble("errorRate")).isEqualTo(0.0);
    JsonObject empty = buckets.getJsonObject(0);
    assertThat(empty.getLong("traces")).isZero();
    assertThat(empty.getValue("errorRate")).isNull();
    assertThat(empty.getValue("p95Ms")).isNull();
    long total = buckets.stream().mapToLong(b -> ((JsonObject) b).getLong("traces")).sum();
    assertThat(total).isEqualTo(5);
  }

  @Test
  void theSeriesOfAnUnknownIssueIs404AndParametersAre400AndAFailingStoreIs503() throws Exception {
    HttpResponse<Buffer> unknown = get("/api/v1/issues/ff/series");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("detail")).isEqualTo("no issue ff");
    assertThat(get("/api/v1/issues/a1/series?limit=3").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/issues/not-hex/series").statusCode()).isEqualTo(400);
    traces.failure = new IllegalStateException("cassandra down");
    assertThat(get("/api/v1/issues/a1/series").statusCode()).isEqualTo(503);
  }

  private HttpResponse<Buffer> get(String path) throws Exception {
    return http.get(server.port(), "127.0.0.1", path).send().await(30, SECONDS); // generous: a loaded CI machine
  }

  private static RetainedTrace trace(String id, String path, long offsetMillis, long durationMillis, int status) {
    String traceId = id.repeat(16);
    long start = (T0 + offsetMillis) * MS;
    Span root = new Span(traceId, "s" + id, null, Span.Kind.SERVER, "host-a", "frontend:8080", 42, "GET", path,
        status, start, start + durationMillis * MS, 100, 200, "127.0.0.1:8080", "127.0.0.1:50000",
        "GET " + path + " HTTP/1.1", "HTTP/1.1 " + status, null);
    return new RetainedTrace(traceId, List.of(root), 0.5, List.of("test"), T0 + offsetMillis + 5_000);
  }
}
