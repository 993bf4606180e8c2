package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueFeedback;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /api/v1/issues/{id}/feedback}: a real server; the gate stands in for the Issue
 * entity's answers (the entity's own checks are tested in actors/ and end to end in node/).
 */
@ExtendWith(VertxExtension.class)
class FeedbackApiTest {

  final List<IssueFeedback> recorded = new CopyOnWriteArrayList<>();
  volatile boolean storeDown;
  ApiServer server;
  WebClient http;
  WebClient plain;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    IssueApiTest.InMemoryIssues issues = new IssueApiTest.InMemoryIssues();
    issues.add(IssueApiTest.summary("a1", "frontend:8080", 0.9, 40), IssueApiTest.CART);
    FeedbackGate gate = (issueId, f) -> {
      if (storeDown) {
        return CompletableFuture.failedFuture(new IllegalStateException("issue shard unreachable"));
      }
      if (!issueId.equals("a1")) {
        return CompletableFuture.completedFuture(new FeedbackGate.UnknownIssue("no issue " + issueId));
      }
      if (f.kind() == IssueFeedback.Kind.CONFIRM && !f.subject().equals("cart:8083")) {
        return CompletableFuture.completedFuture(new FeedbackGate.Refused("unknown candidate " + f.subject()));
      }
      recorded.add(f);
      return CompletableFuture.completedFuture(
          new FeedbackGate.Accepted(f, IssueApiTest.summary("a1", "frontend:8080", 0.9, 40)));
    };
    ApiSettings settings = ApiSettings.create(
        ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
            .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference()).resolve());
    server = ApiServer.start(vertx, settings, new ApiServerTest.InMemoryTraces(), java.util.Map::of,
            new ApiServerTest.InMemoryFeed(), new IssueSources(issues, listener -> () -> {}, gate))
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

  private HttpResponse<Buffer> post(String issueId, String body) throws Exception {
    return plain.post(server.port(), "127.0.0.1", "/api/v1/issues/" + issueId + "/feedback")
        .bearerTokenAuthentication(ApiCalls.tokenOf("carol"))
        .putHeader("X-Rootline-User", "mallory") // ignored: the token names the author
        .sendBuffer(Buffer.buffer(body))
        .await(10, SECONDS);
  }

  @Test
  void aConfirmationIsRecordedWithWhoAndWhen() throws Exception {
    long before = System.currentTimeMillis();
    HttpResponse<Buffer> r = post("a1", "{\"kind\":\"confirm\",\"level\":\"service\",\"subject\":\"cart:8083\","
        + "\"comment\":\"pool exhausted\"}");

    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject feedback = r.bodyAsJsonObject().getJsonObject("feedback");
    assertThat(feedback.getString("kind")).isEqualTo("confirm");
    assertThat(feedback.getString("level")).isEqualTo("service");
    assertThat(feedback.getString("subject")).isEqualTo("cart:8083");
    assertThat(feedback.getString("comment")).isEqualTo("pool exhausted");
    assertThat(feedback.getString("by")).isEqualTo("carol");
    assertThat(feedback.getLong("atEpochMillis")).isGreaterThanOrEqualTo(before);
    assertThat(r.bodyAsJsonObject().getJsonObject("issue").getString("issueId")).isEqualTo("a1");
    assertThat(recorded).singleElement().satisfies(f -> assertThat(f.feedbackId()).isNotBlank());

    // A body's "by" is accepted (older clients send it) but the author is still the token's name.
    HttpResponse<Buffer> noise = post("a1", "{\"kind\":\"noise\",\"by\":\"dave\"}");
    assertThat(noise.statusCode()).isEqualTo(201);
    assertThat(recorded.get(1).by()).isEqualTo("carol");
    assertThat(recorded.get(1).kind()).isEqualTo(IssueFeedback.Kind.NOISE);
  }

  @Test
  void anUnknownIssueIs404AndAnUnknownCandidate400() throws Exception {
    HttpResponse<Buffer> unknown = post("ffff", "{\"kind\":\"confirm\",\"level\":\"service\",\"subject\":\"cart:8083\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getString("detail")).contains("no issue ffff");

    HttpResponse<Buffer> candidate = post("a1", "{\"kind\":\"confirm\",\"level\":\"service\",\"subject\":\"nginx:80\"}");
    assertThat(candidate.statusCode()).isEqualTo(400);
    assertThat(candidate.bodyAsJsonObject().getString("detail")).contains("unknown candidate nginx:80");
    assertThat(recorded).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "not json",
      "[1,2]",
      "{\"kind\":\"like\"}",
      "{\"kind\":\"confirm\"}",
      "{\"kind\":\"confirm\",\"level\":\"galaxy\",\"subject\":\"cart:8083\"}",
      "{\"kind\":\"confirm\",\"level\":\"service\",\"subject\":42}",
      "{\"kind\":\"noise\",\"subject\":\"cart:8083\"}",
      "{\"kind\":\"noise\",\"extra\":true}",
      "{\"kind\":\"reject\",\"level\":\"service\",\"subject\":\"\"}"
  })
  void malformedFeedbackIs400AndRecordsNothing(String body) throws Exception {
    HttpResponse<Buffer> r = post("a1", body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("detail")).isNotBlank();
    assertThat(recorded).isEmpty();
  }

  @Test
  void aBadIssueIdIs400AndAnUnreachableEntity503() throws Exception {
    assertThat(post("not-an-id!", "{\"kind\":\"noise\"}").statusCode()).isEqualTo(400);
    storeDown = true;
    HttpResponse<Buffer> r = post("a1", "{\"kind\":\"noise\"}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("issue shard unreachable");
  }

  @Test
  void aHugeBodyIsRefused() throws Exception {
    HttpResponse<Buffer> r = post("a1", "{\"kind\":\"noise\",\"comment\":\"" + "x".repeat(100_000) + "\"}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(recorded).isEmpty();
  }
}
