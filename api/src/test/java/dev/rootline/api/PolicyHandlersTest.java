package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.policy.CapturePolicy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /api/v1/policies}: a real server on a free port over {@link InMemoryPolicies}. Shapes of
 * every answer, and every refusal: a 4xx JSON error and nothing changed.
 */
@ExtendWith(VertxExtension.class)
class PolicyHandlersTest {

  static final String SERVICE = "/api/v1/policies/service%3Ajava%3A8082";
  static final String ENDPOINT = "/api/v1/policies/endpoint%3Ajava%3A8082%20GET%20%2Fsearch";

  final InMemoryPolicies policies = new InMemoryPolicies();
  Vertx vertx;
  ApiServer server;
  // Kept in a field: an unreferenced Vert.x 5 client can be closed by GC mid-request.
  WebClient http;
  WebClient plain;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
                .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        ApiServer.start(
                vertx, settings, new ApiServerTest.InMemoryTraces(), Map::of, new ApiServerTest.InMemoryFeed(),
                IssueSources.none(), ClusterViewSource.unavailable(),
                new ControlSources(ModelSources.none(), policies))
            .await(10, SECONDS);
    http = ApiCalls.client(vertx);
    plain = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await(10, SECONDS);
    http.close();
    plain.close();
  }

  @Test
  void withoutChangesEveryScopeHasTheDefaults() throws Exception {
    JsonObject all = ok(send(HttpMethod.GET, "/api/v1/policies", null));
    JsonObject defaults =
        new JsonObject()
            .put("capture", true)
            .put("payloadBytes", 1024)
            .put("normalShare", 0.05)
            .put("anomalyThreshold", 0.65)
            .put("quietPeriodMillis", 2000)
            .put("maskingRules", new JsonArray(CapturePolicy.MASKING_RULES))
            .put("mutedFingerprints", new JsonArray());
    assertThat(all)
        .isEqualTo(new JsonObject().put("global", defaults).put("defaults", defaults).put("scopes", new JsonArray()).put("count", 0));

    JsonObject scope = ok(send(HttpMethod.GET, SERVICE, null));
    assertThat(scope)
        .isEqualTo(
            new JsonObject()
                .put("scope", "service:java:8082")
                .put("kind", "service")
                .put("name", "java:8082")
                .put("revision", 0)
                .put("policy", new JsonObject())
                .put("effective", defaults)
                .putNull("changedAt")
                .putNull("changedAtEpochMillis")
                .put("link", "/api/v1/policies/service%3Ajava%3A8082"));
    assertThat(ok(send(HttpMethod.GET, "/api/v1/policies/global", null)).getString("kind")).isEqualTo("global");
  }

  @Test
  void putReplacesAScopesOverridesAndSaysWhoAndWhy() throws Exception {
    HttpResponse<Buffer> r =
        send(HttpMethod.PUT, SERVICE,
            new JsonObject().put("payloadBytes", 2048).put("normalShare", 0.2).put("reason", "look closer at java"), "alice");
    JsonObject body = ok(r);
    assertThat(body.getString("scope")).isEqualTo("service:java:8082");
    assertThat(body.getLong("revision")).isEqualTo(1);
    assertThat(body.getJsonObject("policy")).isEqualTo(new JsonObject().put("payloadBytes", 2048).put("normalShare", 0.2));
    assertThat(body.getBoolean("changed")).isTrue();
    assertThat(body.getString("link")).isEqualTo("/api/v1/policies/service%3Ajava%3A8082");
    JsonObject change = body.getJsonObject("change");
    assertThat(change)
        .isEqualTo(
            new JsonObject()
                .put("scope", "service:java:8082")
                .put("revision", 1)
                .put("before", new JsonObject())
                .put("after", new JsonObject().put("payloadBytes", 2048).put("normalShare", 0.2))
                .put("source", "manual")
                .put("reason", "look closer at java")
                .put("by", "alice")
                .put("at", "2027-01-15T08:00:00Z")
                .put("atEpochMillis", 1_800_000_000_000L)
                .putNull("cause")
                .putNull("expiresAt")
                .putNull("expiresAtEpochMillis"));

    // The same PUT again changes nothing and says so.
    JsonObject again = ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 2048).put("normalShare", 0.2), "alice"));
    assertThat(again.getBoolean("changed")).isFalse();
    assertThat(again.getValue("change")).isNull();
    assertThat(again.getLong("revision")).isEqualTo(1);

    JsonObject scope = ok(send(HttpMethod.GET, SERVICE, null));
    assertThat(scope.getLong("revision")).isEqualTo(1);
    assertThat(scope.getJsonObject("effective").getInteger("payloadBytes")).isEqualTo(2048);
    assertThat(scope.getJsonObject("effective").getDouble("anomalyThreshold")).isEqualTo(0.65);
    assertThat(scope.getString("changedAt")).isEqualTo("2027-01-15T08:00:00Z");

    JsonObject all = ok(send(HttpMethod.GET, "/api/v1/policies", null));
    assertThat(all.getInteger("count")).isEqualTo(1);
    assertThat(all.getJsonArray("scopes").getJsonObject(0).getString("scope")).isEqualTo("service:java:8082");
    assertThat(all.getJsonObject("global").getInteger("payloadBytes")).isEqualTo(1024);
  }

  @Test
  void patchChangesOnlyItsFieldsOfAnEndpointScopeAndTheCallerIsTheTokensName() throws Exception {
    ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("anomalyThreshold", 0.8), "alice"));
    ok(send(HttpMethod.PUT, ENDPOINT, new JsonObject().put("payloadBytes", 512).put("capture", true), null));
    JsonObject patched =
        ok(send(HttpMethod.PATCH, ENDPOINT, new JsonObject().put("capture", false).put("mutedFingerprints", new JsonArray().add("0123456789abcdef")), null));
    assertThat(patched.getString("scope")).isEqualTo("endpoint:java:8082 GET /search");
    assertThat(patched.getJsonObject("policy"))
        .isEqualTo(new JsonObject().put("capture", false).put("payloadBytes", 512)
            .put("mutedFingerprints", new JsonArray().add("0123456789abcdef")));
    assertThat(patched.getJsonObject("change").getString("by")).isEqualTo("root");
    assertThat(patched.getJsonObject("change").getString("reason")).isEmpty();
    assertThat(patched.getString("link")).isEqualTo("/api/v1/policies/endpoint%3Ajava%3A8082%20GET%20%2Fsearch");

    JsonObject endpoint = ok(send(HttpMethod.GET, ENDPOINT, null));
    JsonObject effective = endpoint.getJsonObject("effective");
    assertThat(effective.getBoolean("capture")).isFalse();
    assertThat(effective.getInteger("payloadBytes")).isEqualTo(512);
    assertThat(effective.getDouble("anomalyThreshold")).as("from the service scope").isEqualTo(0.8);
    assertThat(effective.getJsonArray("mutedFingerprints")).containsExactly("0123456789abcdef");
    // The link given is one the API takes back.
    assertThat(ok(send(HttpMethod.GET, patched.getString("link"), null)).getLong("revision")).isEqualTo(2);
  }

  @Test
  void historyIsNewestFirstAndPaged() throws Exception {
    for (int i = 1; i <= 3; i++) {
      ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", i * 100).put("reason", "step " + i), "alice"));
    }
    JsonObject history = ok(send(HttpMethod.GET, SERVICE + "/history", null));
    assertThat(history.getString("scope")).isEqualTo("service:java:8082");
    assertThat(history.getLong("revision")).isEqualTo(3);
    assertThat(history.getInteger("count")).isEqualTo(3);
    assertThat(history.getInteger("limit")).isEqualTo(50);
    assertThat(history.getInteger("offset")).isZero();
    assertThat(history.getJsonArray("changes").stream().map(c -> ((JsonObject) c).getString("reason")))
        .containsExactly("step 3", "step 2", "step 1");
    JsonObject page = ok(send(HttpMethod.GET, SERVICE + "/history?limit=1&offset=1", null));
    assertThat(page.getJsonArray("changes").getJsonObject(0).getLong("revision")).isEqualTo(2);
    assertThat(page.getInteger("limit")).isEqualTo(1);
  }

  @Test
  void revertPutsBackWhatARevisionReplaced() throws Exception {
    ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 100), "alice"));
    ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 200), "alice"));
    JsonObject reverted = ok(send(HttpMethod.POST, SERVICE + "/revert", new JsonObject().put("revision", 2), "bob"));
    assertThat(reverted.getLong("revision")).isEqualTo(3);
    assertThat(reverted.getJsonObject("policy")).isEqualTo(new JsonObject().put("payloadBytes", 100));
    JsonObject change = reverted.getJsonObject("change");
    assertThat(change.getString("source")).isEqualTo("revert");
    assertThat(change.getString("cause")).isEqualTo("2");
    assertThat(change.getString("by")).isEqualTo("bob");
    assertThat(change.getString("reason")).isEqualTo("revert of revision 2");
  }

  static Stream<Arguments> refusedRequests() {
    String fp = "0123456789abcdef";
    return Stream.of(
        // unknown scopes
        Arguments.of(HttpMethod.PUT, "/api/v1/policies/planet%3Amars", "{}",
            "unknown scope kind \"planet\": a scope is global, host:NAME, service:NAME or endpoint:NAME"),
        Arguments.of(HttpMethod.GET, "/api/v1/policies/nonsense", null,
            "unknown scope \"nonsense\": a scope is global, host:NAME, service:NAME or endpoint:NAME"),
        Arguments.of(HttpMethod.PATCH, "/api/v1/policies/endpoint%3Ajava%3A8082", "{}",
            "an endpoint scope is \"endpoint:<service> <METHOD> <path>\", e.g. \"endpoint:java:8082 GET /search\""),
        Arguments.of(HttpMethod.GET, "/api/v1/policies/service%3A/history", null, "a service scope names its service"),
        // unknown fields, wrong types
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payload\": 10}",
            "unknown field 'payload'; allowed: capture, payloadBytes, normalShare, anomalyThreshold, quietPeriodMillis,"
                + " maskingRules, mutedFingerprints, reason"),
        Arguments.of(HttpMethod.PATCH, SERVICE, "{\"capture\": \"yes\"}", "capture must be true or false, got \"yes\""),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payloadBytes\": 1.5}", "payloadBytes must be an integer, got 1.5"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payloadBytes\": \"1024\"}", "payloadBytes must be an integer, got \"1024\""),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"normalShare\": \"all\"}", "normalShare must be a number, got \"all\""),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"quietPeriodMillis\": 2.5}", "quietPeriodMillis must be an integer, got 2.5"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"maskingRules\": [1]}", "maskingRules must be an array of strings, got [1]"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"mutedFingerprints\": \"" + fp + "\"}",
            "mutedFingerprints must be an array of strings, got \"" + fp + "\""),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"reason\": 3}", "reason must be a string of at most 1000 characters"),
        // out of range
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"normalShare\": 1.5}", "normalShare must be between 0 and 1, was 1.5"),
        Arguments.of(HttpMethod.PATCH, SERVICE, "{\"normalShare\": -0.1}", "normalShare must be between 0 and 1, was -0.1"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"anomalyThreshold\": 2}", "anomalyThreshold must be between 0 and 1, was 2.0"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payloadBytes\": 5000}",
            "payloadBytes must be between 0 and 4096 (the kernel maximum), was 5000"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payloadBytes\": -1}",
            "payloadBytes must be between 0 and 4096 (the kernel maximum), was -1"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"payloadBytes\": 99999999999}", "payloadBytes must be an integer, got 99999999999"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"quietPeriodMillis\": 10}",
            "quietPeriodMillis must be between 50 and 600000, was 10"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"maskingRules\": [\"ssn\"]}",
            "unknown masking rule \"ssn\"; known: authorization, cookie, api-key, bearer-token, password, card-number, email"),
        Arguments.of(HttpMethod.PUT, SERVICE, "{\"mutedFingerprints\": [\"xyz\"]}",
            "a muted fingerprint is an issue id (16 lowercase hex), was \"xyz\""),
        // not a JSON object
        Arguments.of(HttpMethod.PUT, SERVICE, "", "the request needs a JSON object body"),
        Arguments.of(HttpMethod.PUT, SERVICE, "[1, 2]", "the body must be a JSON object"),
        Arguments.of(HttpMethod.PATCH, SERVICE, "42", "the body must be a JSON object"),
        // query parameters
        Arguments.of(HttpMethod.PUT, SERVICE + "?force=1", "{}", "unknown query parameter 'force'; this route takes none"),
        Arguments.of(HttpMethod.GET, SERVICE + "/history?limit=0", null, "limit must be an integer between 1 and 1000, got '0'"),
        Arguments.of(HttpMethod.GET, SERVICE + "/history?offset=-1", null, "offset must be an integer between 0 and 100000, got '-1'"),
        Arguments.of(HttpMethod.GET, SERVICE + "/history?page=2", null, "unknown query parameter 'page'; allowed: limit, offset"),
        // revert bodies
        Arguments.of(HttpMethod.POST, SERVICE + "/revert", "{}", "revision must be the revision to revert, an integer of at least 1"),
        Arguments.of(HttpMethod.POST, SERVICE + "/revert", "{\"revision\": \"1\"}", "revision must be an integer, got \"1\""),
        Arguments.of(HttpMethod.POST, SERVICE + "/revert", "{\"revision\": 0}", "revision must be the revision to revert, an integer of at least 1"),
        Arguments.of(HttpMethod.POST, SERVICE + "/revert", "{\"revision\": 1, \"why\": \"x\"}",
            "unknown field 'why'; allowed: revision, reason"));
  }

  @ParameterizedTest
  @MethodSource("refusedRequests")
  void badRequestsAre400AndChangeNothing(HttpMethod method, String uri, String body, String detail) throws Exception {
    ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 100), "alice"));
    int before = policies.changeCount();
    HttpRequest<Buffer> request = http.request(method, server.port(), "127.0.0.1", uri);
    HttpResponse<Buffer> r =
        (body == null ? request.send() : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)))
            .await(5, SECONDS);
    ApiCalls.assertBadRequest(r, detail);
    assertThat(policies.changeCount()).isEqualTo(before);
    assertThat(ok(send(HttpMethod.GET, SERVICE, null)).getJsonObject("policy")).isEqualTo(new JsonObject().put("payloadBytes", 100));
  }

  @Test
  void theAuthorIsTheTokensNameWhateverTheOldHeaderSays() throws Exception {
    HttpResponse<Buffer> r =
        plain.request(HttpMethod.PATCH, server.port(), "127.0.0.1", SERVICE)
            .bearerTokenAuthentication(ApiCalls.tokenOf("alice"))
            .putHeader("X-Rootline-User", "mallory")
            .sendJsonObject(new JsonObject().put("capture", false))
            .await(5, SECONDS);
    assertThat(ok(r).getJsonObject("change").getString("by")).isEqualTo("alice");
  }

  @Test
  void aChangeTheSourcesRefuseIs400() throws Exception {
    // The entity validates too (e.g. a reason the API let through but the node's limit refuses).
    policies.failure = new IllegalArgumentException("reason is at most 10 characters, was 11");
    ApiCalls.assertBadRequest(
        send(HttpMethod.PATCH, SERVICE, new JsonObject().put("reason", "x".repeat(11)), "alice"),
        "reason is at most 10 characters, was 11");
  }

  @Test
  void unknownHistoryAndRevisionsAre404() throws Exception {
    HttpResponse<Buffer> history = send(HttpMethod.GET, SERVICE + "/history", null);
    assertThat(history.statusCode()).isEqualTo(404);
    assertThat(history.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("error", "not found").put("detail", "scope service:java:8082 has no policy changes"));

    ok(send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 100), "alice"));
    HttpResponse<Buffer> revert = send(HttpMethod.POST, SERVICE + "/revert", new JsonObject().put("revision", 7), "bob");
    assertThat(revert.statusCode()).isEqualTo(404);
    assertThat(revert.bodyAsJsonObject().getString("detail")).isEqualTo("scope service:java:8082 has no revision 7");
    assertThat(policies.changeCount()).isEqualTo(1);
  }

  @Test
  void sourcesThatFailOrNeverAnswerAre503() throws Exception {
    policies.failure = new IllegalStateException("revision 3 of service:java:8082 is saved but the policy index did not take it");
    HttpResponse<Buffer> failed = send(HttpMethod.PUT, SERVICE, new JsonObject().put("payloadBytes", 1), "alice");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.bodyAsJsonObject().getString("error")).isEqualTo("store unavailable");
    assertThat(failed.bodyAsJsonObject().getString("detail")).contains("the policy index did not take it");

    policies.failure = null;
    policies.silent = true;
    for (String uri : List.of("/api/v1/policies", SERVICE, SERVICE + "/history")) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, uri, null);
      assertThat(r.statusCode()).as(uri).isEqualTo(503);
      assertThat(r.bodyAsJsonObject().getString("detail")).contains("within 300 ms");
    }
    assertThat(send(HttpMethod.PATCH, SERVICE, new JsonObject().put("capture", false), "alice").statusCode()).isEqualTo(503);
  }

  @Test
  void anApiWithoutPoliciesAnswers503() throws Exception {
    server.close().await(10, SECONDS);
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0 }").withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference()).resolve());
    server =
        ApiServer.start(vertx, settings,
                new ApiServerTest.InMemoryTraces(), Map::of, new ApiServerTest.InMemoryFeed())
            .await(10, SECONDS);
    HttpResponse<Buffer> r = send(HttpMethod.GET, "/api/v1/policies", null);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("this API runs without capture policies");
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, JsonObject body) throws Exception {
    return send(method, uri, body, null);
  }

  private HttpResponse<Buffer> send(HttpMethod method, String uri, JsonObject body, String user) throws Exception {
    // A named user calls with their own token; else the client's default (root, an admin).
    HttpRequest<Buffer> request =
        user == null
            ? http.request(method, server.port(), "127.0.0.1", uri)
            : plain.request(method, server.port(), "127.0.0.1", uri).bearerTokenAuthentication(ApiCalls.tokenOf(user));
    return (body == null ? request.send() : request.sendJsonObject(body)).await(5, SECONDS);
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    return ApiCalls.okJson(response, "");
  }
}
