package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
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

/** {@code POST /api/v1/feedback/missed-anomaly} on a real server; the tuner's side is a stand-in. */
@ExtendWith(VertxExtension.class)
class MissedAnomalyApiTest {

  final List<String> reported = new CopyOnWriteArrayList<>();
  volatile boolean atFloor;
  ApiServer server;
  WebClient http;
  WebClient plain;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    MissedAnomalies missed = (endpoint, by, comment) -> {
      reported.add(endpoint + "|" + by + "|" + comment);
      if (atFloor) {
        return CompletableFuture.completedFuture(List.of());
      }
      PolicyScope scope = new PolicyScope(PolicyScope.Kind.ENDPOINT, endpoint);
      return CompletableFuture.completedFuture(List.of(new PolicyChange(scope, 1, CapturePolicy.EMPTY,
          new CapturePolicy(null, null, null, 0.6, null, null, null), PolicyChange.FEEDBACK,
          by + " reported an anomaly on " + endpoint + " that was missed", "policy-tuner", 1L, "missed-anomaly:x", 0)));
    };
    ApiSettings settings = ApiSettings.create(
        ConfigFactory.parseString("rootline.api { port = 0 }").withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference()).resolve());
    server = ApiServer.start(vertx, settings, new ApiServerTest.InMemoryTraces(), java.util.Map::of,
            new ApiServerTest.InMemoryFeed(), IssueSources.none(), ClusterViewSource.unavailable(),
            new ControlSources(ModelSources.none(), PolicySources.unavailable(), missed))
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

  private HttpResponse<Buffer> post(String body) throws Exception {
    return plain.post(server.port(), "127.0.0.1", "/api/v1/feedback/missed-anomaly")
        .bearerTokenAuthentication(ApiCalls.tokenOf("erin")).sendBuffer(Buffer.buffer(body)).await(10, SECONDS);
  }

  @Test
  void aMissedAnomalyLowersTheThresholdOrSaysItIsAtItsFloor() throws Exception {
    HttpResponse<Buffer> r = post("{\"endpoint\":\"java:8082 GET /search\",\"comment\":\"users complained\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonObject change = r.bodyAsJsonObject().getJsonArray("changes").getJsonObject(0);
    assertThat(change.getString("source")).isEqualTo("feedback");
    assertThat(change.getJsonObject("after").getDouble("anomalyThreshold")).isEqualTo(0.6);
    assertThat(reported).containsExactly("java:8082 GET /search|erin|users complained");

    atFloor = true;
    HttpResponse<Buffer> none = post("{\"endpoint\":\"java:8082 GET /search\",\"by\":\"frank\"}");
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(none.bodyAsJsonObject().getJsonArray("changes")).isEmpty();
    assertThat(none.bodyAsJsonObject().getString("note")).contains("floor");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{}", "{\"endpoint\":\"java:8082\"}", "{\"endpoint\":7}",
      "{\"endpoint\":\"java:8082 GET /a\",\"extra\":1}", "[\"x\"]"})
  void aMalformedReportIs400AndReachesNothing(String body) throws Exception {
    HttpResponse<Buffer> r = post(body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(reported).isEmpty();
  }
}
