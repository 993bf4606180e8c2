package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /api/v1/cluster}: the view as is, or a 503 with a JSON error when there is none. */
@ExtendWith(VertxExtension.class)
class ClusterHandlersTest {

  Vertx vertx;
  ApiServer server;
  // Kept in a field: an unreferenced Vert.x 5 client can be closed by GC mid-request.
  WebClient http;

  private void start(Vertx vertx, ClusterViewSource cluster) throws Exception {
    this.vertx = vertx;
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
                .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        ApiServer.start(
                vertx,
                settings,
                new ApiServerTest.InMemoryTraces(),
                Map::of,
                new ApiServerTest.InMemoryFeed(),
                cluster)
            .await(10, SECONDS);
    http = ApiCalls.client(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(10, SECONDS);
    }
    if (http != null) {
      http.close();
    }
  }

  @Test
  void answersTheViewAsJson(Vertx vertx) throws Exception {
    Map<String, Object> view =
        Map.of(
            "leader", "pekko://rootline@10.0.0.1:25520",
            "members",
                List.of(Map.of("address", "pekko://rootline@10.0.0.1:25520", "status", "Up")),
            "shards", Map.of("Trace", Map.of("pekko://rootline@10.0.0.1:25520", Map.of("shards", 3))));
    start(vertx, () -> CompletableFuture.completedFuture(view));
    HttpResponse<Buffer> r = get();
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("leader")).isEqualTo("pekko://rootline@10.0.0.1:25520");
    assertThat(body.getJsonObject("shards").getJsonObject("Trace").getJsonObject("pekko://rootline@10.0.0.1:25520").getInteger("shards"))
        .isEqualTo(3);
  }

  @Test
  void aFailingViewIs503WithTheReason(Vertx vertx) throws Exception {
    start(vertx, () -> CompletableFuture.failedFuture(new IllegalStateException("coordinator away")));
    HttpResponse<Buffer> r = get();
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("cluster view unavailable");
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("coordinator away");
  }

  @Test
  void aViewThatNeverComesIs503AfterTheTimeout(Vertx vertx) throws Exception {
    start(vertx, CompletableFuture::new);
    HttpResponse<Buffer> r = get();
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("300 ms");
  }

  @Test
  void anApiWithoutClusterAnswers503(Vertx vertx) throws Exception {
    start(vertx, ClusterViewSource.unavailable());
    assertThat(get().statusCode()).isEqualTo(503);
  }

  private HttpResponse<Buffer> get() throws Exception {
    return http.get(server.port(), "127.0.0.1", "/api/v1/cluster").send().await(10, SECONDS);
  }
}
