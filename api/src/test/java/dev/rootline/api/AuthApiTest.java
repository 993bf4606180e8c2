package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueFeedback;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Access control on a real server: 401 without or with a wrong token, 403 for a role too low,
 * the right roles through, whoami, the WebSocket handshake, the generated admin token, and no
 * token in any log line. Issues, feedback and policies are the in-memory fixtures of the other
 * API tests.
 */
@ExtendWith(VertxExtension.class)
class AuthApiTest {

  static final String FEEDBACK = "/api/v1/issues/a1/feedback";
  static final String CONFIRM = "{\"kind\":\"confirm\",\"level\":\"service\",\"subject\":\"cart:8083\"}";
  static final String POLICY = "/api/v1/policies/service%3Ajava%3A8082";

  final List<IssueFeedback> recorded = new CopyOnWriteArrayList<>();
  final InMemoryPolicies policies = new InMemoryPolicies();
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger apiLog = (Logger) LoggerFactory.getLogger("dev.rootline.api");
  Level apiLevel;

  Vertx vertx;
  ApiServer server;
  WebClient http;
  WebSocketClient webSockets;

  @TempDir Path dir;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    apiLevel = apiLog.getLevel();
    apiLog.setLevel(Level.DEBUG); // the refusals are logged at debug: catch them too
    logs.start();
    apiLog.addAppender(logs);
    server = start("rootline.api { port = 0, store-timeout = 300ms }");
    http = WebClient.create(vertx);
    webSockets = vertx.createWebSocketClient();
  }

  private ApiServer start(String config) throws Exception {
    IssueApiTest.InMemoryIssues issues = new IssueApiTest.InMemoryIssues();
    issues.add(IssueApiTest.summary("a1", "frontend:8080", 0.9, 40), IssueApiTest.CART);
    FeedbackGate gate = (issueId, f) -> {
      recorded.add(f);
      return CompletableFuture.completedFuture(
          new FeedbackGate.Accepted(f, IssueApiTest.summary("a1", "frontend:8080", 0.9, 40)));
    };
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString(config)
                .withFallback(ApiCalls.TEST_TOKENS)
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    return ApiServer.start(
            vertx, settings, new ApiServerTest.InMemoryTraces(), Map::of, new ApiServerTest.InMemoryFeed(),
            new IssueSources(issues, listener -> () -> {}, gate), ClusterViewSource.unavailable(),
            new ControlSources(ModelSources.none(), policies))
        .await(10, SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().await(10, SECONDS);
    http.close();
    webSockets.close().await(10, SECONDS);
    apiLog.detachAppender(logs);
    apiLog.setLevel(apiLevel);
    for (ILoggingEvent event : logs.list) {
      for (String name : ApiCalls.ROLES.keySet()) {
        assertThat(event.getFormattedMessage()).as("a log line").doesNotContain(ApiCalls.tokenOf(name));
      }
      assertThat(event.getFormattedMessage()).doesNotContain("wrong-token-0123456789");
    }
  }

  private HttpResponse<Buffer> call(HttpMethod method, String uri, String who, String body) throws Exception {
    HttpRequest<Buffer> request = http.request(method, server.port(), "127.0.0.1", uri);
    if (who != null) {
      request.bearerTokenAuthentication(ApiCalls.ROLES.containsKey(who) ? ApiCalls.tokenOf(who) : who);
    }
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await(5, SECONDS);
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r, String challenge, String detail) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo(challenge);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
    assertThat(r.bodyAsJsonObject().getString("detail")).contains(detail);
  }

  @Test
  void withoutOrWithAWrongTokenEveryDataRouteIs401() throws Exception {
    for (String uri : List.of("/api/v1/traces", "/api/v1/issues", "/api/v1/issues/a1", "/api/v1/stats",
        "/api/v1/policies", "/api/v1/auth/whoami", "/api/v1/nothing")) {
      assertUnauthorized(call(HttpMethod.GET, uri, null, null), "Bearer realm=\"rootline\"", "Authorization: Bearer");
      assertUnauthorized(call(HttpMethod.GET, uri, "wrong-token-0123456789", null),
          "Bearer realm=\"rootline\", error=\"invalid_token\"", "unknown token");
    }
    assertUnauthorized(call(HttpMethod.POST, FEEDBACK, null, CONFIRM), "Bearer realm=\"rootline\"", "needs a token");
    assertUnauthorized(call(HttpMethod.PATCH, POLICY, "wrong-token-0123456789", "{\"capture\":false}"),
        "Bearer realm=\"rootline\", error=\"invalid_token\"", "unknown token");

    HttpResponse<Buffer> basic =
        http.get(server.port(), "127.0.0.1", "/api/v1/traces").basicAuthentication("root", ApiCalls.tokenOf("root"))
            .send().await(5, SECONDS);
    assertUnauthorized(basic, "Bearer realm=\"rootline\", error=\"invalid_request\"", "scheme must be Bearer");
    HttpResponse<Buffer> inQuery = call(HttpMethod.GET, "/api/v1/traces?access_token=" + ApiCalls.tokenOf("root"), null, null);
    assertUnauthorized(inQuery, "Bearer realm=\"rootline\"", "needs a token"); // only a WebSocket may
    assertThat(recorded).isEmpty();
    assertThat(policies.changeCount()).isZero();
    assertThat(server.metrics().snapshot().get("unauthorized")).isEqualTo(18L);
  }

  @Test
  void theUiTheRedirectAndHealthArePublic() throws Exception {
    assertThat(call(HttpMethod.GET, "/api/v1/health", null, null).statusCode()).isEqualTo(200);
    // the UI's files hold no data: served without a token, as is the redirect to them
    assertThat(call(HttpMethod.GET, "/ui/index.html", null, null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, "/ui/nothing-here.js", null, null).statusCode()).isEqualTo(404);
    assertThat(call(HttpMethod.GET, "/", null, null).statusCode()).isIn(200, 302);
  }

  @Test
  void aRoleTooLowIs403NamingTheRoleNeeded() throws Exception {
    HttpResponse<Buffer> feedback = call(HttpMethod.POST, FEEDBACK, "vera", CONFIRM);
    assertThat(feedback.statusCode()).isEqualTo(403);
    assertThat(feedback.bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("error", "forbidden")
            .put("detail", "POST /api/v1/issues/*/feedback needs role operator; 'vera' has role viewer")
            .put("requiredRole", "operator").put("role", "viewer"));
    assertThat(call(HttpMethod.POST, "/api/v1/feedback/missed-anomaly", "vera", "{}").statusCode()).isEqualTo(403);

    for (String who : List.of("vera", "olga")) {
      HttpResponse<Buffer> patch = call(HttpMethod.PATCH, POLICY, who, "{\"capture\":false}");
      assertThat(patch.statusCode()).as(who).isEqualTo(403);
      assertThat(patch.bodyAsJsonObject().getString("requiredRole")).isEqualTo("admin");
      assertThat(patch.bodyAsJsonObject().getString("detail")).contains("PATCH /api/v1/policies/* needs role admin");
      assertThat(call(HttpMethod.PUT, POLICY, who, "{}").statusCode()).isEqualTo(403);
      assertThat(call(HttpMethod.POST, POLICY + "/revert", who, "{\"revision\":1}").statusCode()).isEqualTo(403);
      assertThat(call(HttpMethod.POST, "/api/v1/models/root-cause/rollback", who, null).statusCode()).isEqualTo(403);
    }
    assertThat(recorded).isEmpty();
    assertThat(policies.changeCount()).isZero();
    assertThat(server.metrics().snapshot().get("forbidden")).isEqualTo(10L);
  }

  @Test
  void theRightRolesGetThrough() throws Exception {
    assertThat(call(HttpMethod.GET, "/api/v1/issues/a1", "vera", null).statusCode()).isEqualTo(200);
    assertThat(call(HttpMethod.GET, POLICY, "vera", null).statusCode()).isEqualTo(200);

    for (String who : List.of("olga", "root")) {
      HttpResponse<Buffer> feedback = call(HttpMethod.POST, FEEDBACK, who, CONFIRM);
      assertThat(feedback.statusCode()).as(feedback.bodyAsString()).isEqualTo(201);
      assertThat(feedback.bodyAsJsonObject().getJsonObject("feedback").getString("by")).isEqualTo(who);
    }
    assertThat(recorded).extracting(IssueFeedback::by).containsExactly("olga", "root");

    HttpResponse<Buffer> patch = call(HttpMethod.PATCH, POLICY, "alice", "{\"capture\":false}");
    assertThat(patch.statusCode()).as(patch.bodyAsString()).isEqualTo(200);
    assertThat(patch.bodyAsJsonObject().getJsonObject("change").getString("by")).isEqualTo("alice");
    // a token's scheme is case-insensitive (RFC 7235)
    HttpResponse<Buffer> lower =
        http.get(server.port(), "127.0.0.1", "/api/v1/traces")
            .putHeader("Authorization", "bearer " + ApiCalls.tokenOf("vera")).send().await(5, SECONDS);
    assertThat(lower.statusCode()).isEqualTo(200);
  }

  @Test
  void whoamiNamesTheCallerAndRole() throws Exception {
    for (Map.Entry<String, String> e : ApiCalls.ROLES.entrySet()) {
      HttpResponse<Buffer> r = call(HttpMethod.GET, "/api/v1/auth/whoami", e.getKey(), null);
      assertThat(ApiCalls.okJson(r, "whoami")).isEqualTo(new JsonObject().put("name", e.getKey()).put("role", e.getValue()));
    }
  }

  @Test
  void theStreamRefusesAHandshakeWithoutAValidToken() throws Exception {
    WebSocketConnectOptions bare =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port()).setURI("/api/v1/stream");
    assertThatThrownBy(() -> webSockets.connect(bare).await(5, SECONDS))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, rejected -> {
          assertThat(rejected.getStatus()).isEqualTo(401);
          assertThat(new JsonObject(rejected.getBody()).getString("error")).isEqualTo("unauthorized");
        });
    WebSocketConnectOptions wrong =
        new WebSocketConnectOptions(bare).setURI("/api/v1/stream?access_token=wrong-token-0123456789");
    assertThatThrownBy(() -> webSockets.connect(wrong).await(5, SECONDS))
        .isInstanceOfSatisfying(UpgradeRejectedException.class, r -> assertThat(r.getStatus()).isEqualTo(401));
    assertThat(server.metrics().snapshot()).containsEntry("streamConnections", 0L);

    // with the header (any client) and with access_token (browsers), a viewer is in
    WebSocket byHeader =
        webSockets.connect(new WebSocketConnectOptions(bare).addHeader("Authorization", "Bearer " + ApiCalls.tokenOf("vera")))
            .await(5, SECONDS);
    WebSocket byQuery =
        webSockets.connect(new WebSocketConnectOptions(bare).setURI("/api/v1/stream?access_token=" + ApiCalls.tokenOf("vera")))
            .await(5, SECONDS);
    assertThat(byHeader.isClosed()).isFalse();
    assertThat(byQuery.isClosed()).isFalse();
    assertThat(server.metrics().snapshot()).containsEntry("streamConnections", 2L);
    byHeader.close().await(5, SECONDS);
    byQuery.close().await(5, SECONDS);
  }

  @Test
  void withoutConfiguredTokensTheServerGeneratesAnAdminTokenInsteadOfServingEveryone() throws Exception {
    Path file = dir.resolve("api-token");
    ApiServer bare =
        ApiServer.start(
                vertx,
                ApiSettings.create(
                    ConfigFactory.parseString("rootline.api { port = 0, auth.generated-token-file = \"" + file + "\" }")
                        .withFallback(ConfigFactory.defaultReference())
                        .resolve()),
                new ApiServerTest.InMemoryTraces(), Map::of, new ApiServerTest.InMemoryFeed())
            .await(10, SECONDS);
    try {
      String token = Files.readString(file).strip();
      HttpResponse<Buffer> without = http.get(bare.port(), "127.0.0.1", "/api/v1/traces").send().await(5, SECONDS);
      assertThat(without.statusCode()).isEqualTo(401);
      HttpResponse<Buffer> with =
          http.get(bare.port(), "127.0.0.1", "/api/v1/auth/whoami").bearerTokenAuthentication(token).send().await(5, SECONDS);
      assertThat(ApiCalls.okJson(with, "whoami")).isEqualTo(new JsonObject().put("name", "admin").put("role", "admin"));
      assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(line -> assertThat(line).contains(file.toString()))
          .noneSatisfy(line -> assertThat(line).contains(token));
    } finally {
      bare.close().await(10, SECONDS);
    }
  }
}
