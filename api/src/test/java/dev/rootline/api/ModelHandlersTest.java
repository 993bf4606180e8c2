package dev.rootline.api;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /api/v1/models} and {@code POST /api/v1/models/{name}/rollback}: a real server on a
 * free port with the API's router, backed by an in-memory {@link ModelSources} that keeps the
 * Model entity's rollback rule (the entity itself is tested in actors/).
 */
@ExtendWith(VertxExtension.class)
class ModelHandlersTest {

  static final long T0 = Instant.parse("2026-11-27T06:00:00Z").toEpochMilli();

  HttpServer server;
  // Kept in a field: an unreferenced Vert.x 5 client can be closed by GC mid-request.
  WebClient http;
  final ApiMetrics metrics = new ApiMetrics();

  private void start(Vertx vertx, ModelSources models) throws Exception {
    ApiSettings settings =
        ApiSettings.create(
            ConfigFactory.parseString("rootline.api { port = 0, store-timeout = 300ms }")
                .withFallback(ApiCalls.TEST_TOKENS).withFallback(ConfigFactory.defaultReference())
                .resolve());
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                ApiRouter.create(
                    vertx,
                    settings,
                    new ApiServerTest.InMemoryTraces(),
                    IssueSources.none(),
                    Map::of,
                    new LiveTraceStream(vertx, settings, metrics),
                    metrics,
                    ClusterViewSource.unavailable(),
                    new ControlSources(models, PolicySources.unavailable()),
                    ApiTokens.from(settings.auth())))
            .listen(0, "127.0.0.1")
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
  void listsModelsWithVersionsMetricsAndTheLiveOne(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> r = get("/api/v1/models");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("content-type")).startsWith("application/json");
    JsonArray models = r.bodyAsJsonObject().getJsonArray("models");
    assertThat(models).hasSize(1);
    JsonObject model = models.getJsonObject(0);
    assertThat(model.getString("name")).isEqualTo("root-cause");
    assertThat(model.getLong("live")).isEqualTo(3);
    assertThat(model.getInteger("labels")).isEqualTo(12);
    JsonArray versions = model.getJsonArray("versions");
    assertThat(versions.stream().map(v -> ((JsonObject) v).getString("status")))
        .containsExactly("superseded", "superseded", "live", "rejected");

    JsonObject prior = versions.getJsonObject(0);
    assertThat(prior.getLong("version")).isEqualTo(1);
    assertThat(prior.getString("trainedAt")).isEqualTo("2026-11-27T06:00:00Z");
    assertThat(prior.getLong("trainedAtEpochMillis")).isEqualTo(T0);
    assertThat(prior.getJsonObject("metrics").getValue("candidate")).isNull();
    assertThat(prior.getJsonObject("metrics").getValue("live")).isNull();
    assertThat(prior.getString("reason")).startsWith("the prior");

    JsonObject live = versions.getJsonObject(2);
    assertThat(live.getInteger("labels")).isEqualTo(8);
    assertThat(live.getInteger("heldBack")).isEqualTo(4);
    JsonObject candidate = live.getJsonObject("metrics").getJsonObject("candidate");
    assertThat(candidate.getInteger("rankings")).isEqualTo(3);
    assertThat(candidate.getDouble("ac1")).isEqualTo(0.6667);
    assertThat(candidate.getDouble("ac3")).isEqualTo(1.0);
    assertThat(candidate.getDouble("ac5")).isEqualTo(1.0);
    assertThat(candidate.getDouble("meanRank")).isEqualTo(1.3333);
    assertThat(live.getJsonObject("metrics").getJsonObject("live").getDouble("ac1")).isEqualTo(0.3333);
    assertThat(live.getJsonObject("metrics").getLong("comparedTo")).isEqualTo(2);
    assertThat(versions.getJsonObject(3).getString("reason")).startsWith("worse");
  }

  @Test
  void rollbackWithoutABodyGoesToThePreviousPromotedVersion(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> r = post("/api/v1/models/root-cause/rollback", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject model = r.bodyAsJsonObject();
    assertThat(model.getString("name")).isEqualTo("root-cause");
    assertThat(model.getLong("live")).isEqualTo(2);
    assertThat(model.getJsonArray("versions").getJsonObject(2).getString("status")).isEqualTo("rolled-back");
    assertThat(get("/api/v1/models").bodyAsJsonObject().getJsonArray("models").getJsonObject(0).getLong("live"))
        .isEqualTo(2);
  }

  @Test
  void rollbackToANamedVersion(Vertx vertx) throws Exception {
    InMemoryModels models = new InMemoryModels();
    start(vertx, models);
    HttpResponse<Buffer> r = post("/api/v1/models/root-cause/rollback", "{\"toVersion\": 1}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getLong("live")).isEqualTo(1);
    assertThat(models.lastToVersion).isEqualTo(1L);
    // An explicit null is the same as no body.
    assertThat(post("/api/v1/models/root-cause/rollback", "{\"toVersion\": null}").statusCode()).isEqualTo(409);
    assertThat(models.lastToVersion).isNull();
  }

  @Test
  void nothingToRollBackToIs409WithTheReason(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> rejected = post("/api/v1/models/root-cause/rollback", "{\"toVersion\": 4}");
    assertThat(rejected.statusCode()).isEqualTo(409);
    assertThat(rejected.bodyAsJsonObject().getString("error")).isEqualTo("conflict");
    assertThat(rejected.bodyAsJsonObject().getString("detail")).contains("v4 was never promoted");

    assertThat(post("/api/v1/models/root-cause/rollback", "").statusCode()).isEqualTo(200);
    assertThat(post("/api/v1/models/root-cause/rollback", "").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> none = post("/api/v1/models/root-cause/rollback", "");
    assertThat(none.statusCode()).isEqualTo(409);
    assertThat(none.bodyAsJsonObject().getString("detail")).contains("nothing to roll back to");
  }

  @Test
  void anUnknownModelIs404(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> r = post("/api/v1/models/latency/rollback", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("not found");
    assertThat(r.bodyAsJsonObject().getString("detail")).isEqualTo("no model latency");
  }

  static Stream<Arguments> badRollbacks() {
    return Stream.of(
        Arguments.of("/api/v1/models/root-cause/rollback", "not json", "must be JSON"),
        Arguments.of("/api/v1/models/root-cause/rollback", "[2]", "must be a JSON object"),
        Arguments.of("/api/v1/models/root-cause/rollback", "{\"toVersion\": \"2\"}", "positive integer"),
        Arguments.of("/api/v1/models/root-cause/rollback", "{\"toVersion\": 0}", "positive integer"),
        Arguments.of("/api/v1/models/root-cause/rollback", "{\"toVersion\": 1.5}", "positive integer"),
        Arguments.of("/api/v1/models/root-cause/rollback", "{\"to\": 1}", "unknown field 'to'"),
        Arguments.of("/api/v1/models/Root_Cause/rollback", null, "model name must be"),
        Arguments.of("/api/v1/models/root-cause/rollback?force=1", null, "unknown query parameter 'force'"));
  }

  @ParameterizedTest
  @MethodSource("badRollbacks")
  void aMalformedRollbackIs400(String path, String body, String detail, Vertx vertx) throws Exception {
    InMemoryModels models = new InMemoryModels();
    start(vertx, models);
    HttpResponse<Buffer> r = post(path, body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("bad request");
    assertThat(r.bodyAsJsonObject().getString("detail")).contains(detail);
    assertThat(models.rollbacks).as("nothing reached the model").isZero();
  }

  @Test
  void aListWithAQueryIs400(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> r = get("/api/v1/models?name=root-cause");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("detail")).contains("unknown query parameter 'name'");
  }

  @Test
  void aHugeBodyIsRefused(Vertx vertx) throws Exception {
    InMemoryModels models = new InMemoryModels();
    start(vertx, models);
    HttpResponse<Buffer> r = post("/api/v1/models/root-cause/rollback", "{\"toVersion\": 1" + " ".repeat(4000) + "}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.bodyAsJsonObject().getString("error")).isNotBlank();
    assertThat(models.rollbacks).isZero();
  }

  @Test
  void aModelSourceThatFailsOrNeverAnswersIs503(Vertx vertx) throws Exception {
    start(
        vertx,
        new ModelSources() {
          @Override
          public CompletionStage<List<Model>> list() {
            return CompletableFuture.failedFuture(new IllegalStateException("no Model shard answered"));
          }

          @Override
          public CompletionStage<RollbackResult> rollback(String name, Long toVersion) {
            return new CompletableFuture<>(); // never completes
          }
        });
    HttpResponse<Buffer> list = get("/api/v1/models");
    assertThat(list.statusCode()).isEqualTo(503);
    assertThat(list.bodyAsJsonObject().getString("detail")).contains("no Model shard answered");
    HttpResponse<Buffer> rollback = post("/api/v1/models/root-cause/rollback", null);
    assertThat(rollback.statusCode()).isEqualTo(503);
    assertThat(rollback.bodyAsJsonObject().getString("detail")).contains("did not answer");
  }

  @Test
  void aNodeWithoutModelsListsNone(Vertx vertx) throws Exception {
    start(vertx, ModelSources.none());
    assertThat(get("/api/v1/models").bodyAsJsonObject().getJsonArray("models")).isEmpty();
    assertThat(post("/api/v1/models/root-cause/rollback", null).statusCode()).isEqualTo(404);
  }

  @Test
  void aGetOnTheRollbackIs405(Vertx vertx) throws Exception {
    start(vertx, new InMemoryModels());
    HttpResponse<Buffer> r = get("/api/v1/models/root-cause/rollback");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("method not allowed");
  }

  private HttpResponse<Buffer> get(String path) throws Exception {
    return http.get(server.actualPort(), "127.0.0.1", path).send().await(10, SECONDS);
  }

  private HttpResponse<Buffer> post(String path, String body) throws Exception {
    var request = http.post(server.actualPort(), "127.0.0.1", path);
    return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await(10, SECONDS);
  }

  /**
   * The root-cause model with four versions (prior, two promotions, one rejection) and the
   * entity's rollback rule: to the newest superseded version below the live one, or to a named
   * version that was live before.
   */
  static final class InMemoryModels implements ModelSources {

    final List<Version> versions = new ArrayList<>();
    long live = 3;
    int rollbacks;
    Long lastToVersion;

    InMemoryModels() {
      ModelSources.Metrics before = new ModelSources.Metrics(3, 1 / 3.0, 2 / 3.0, 1.0, 2.0);
      ModelSources.Metrics after = new ModelSources.Metrics(3, 2 / 3.0, 1.0, 1.0, 4 / 3.0);
      versions.add(new Version(1, T0, 0, 0, "superseded", null, null, 0,
          "the prior: trained on 32 simulated incidents (seed 7) before any feedback"));
      versions.add(new Version(2, T0 + 60_000, 3, 1, "superseded", before, before, 1,
          "no rankable held-back label (1 held back): promoted without comparison"));
      versions.add(new Version(3, T0 + 120_000, 8, 4, "live", after, before, 2,
          "no worse: AC@1 67% AC@3 100% (3 rankings) vs AC@1 33% AC@3 67% of live v2 on held-back labels"));
      versions.add(new Version(4, T0 + 180_000, 9, 3, "rejected", before, after, 3,
          "worse: AC@1 33% AC@3 67% (3 rankings) vs AC@1 67% AC@3 100% of live v3 on held-back labels"));
    }

    @Override
    public synchronized CompletionStage<List<Model>> list() {
      return CompletableFuture.completedFuture(List.of(model()));
    }

    private Model model() {
      return new Model("root-cause", live, 12, versions);
    }

    @Override
    public synchronized CompletionStage<RollbackResult> rollback(String name, Long toVersion) {
      rollbacks++;
      lastToVersion = toVersion;
      if (!name.equals("root-cause")) {
        return CompletableFuture.completedFuture(new UnknownModel(name));
      }
      Version target = null;
      for (Version v : versions) {
        boolean eligible =
            toVersion == null
                ? v.version() < live && v.status().equals("superseded")
                : v.version() == toVersion && v.version() != live && !v.status().equals("rejected");
        if (eligible) {
          target = v;
        }
      }
      if (target == null) {
        return CompletableFuture.completedFuture(
            new NothingToRollBack(
                toVersion == null
                    ? "model root-cause: nothing to roll back to (live v" + live + " has no earlier promoted version)"
                    : "model root-cause: nothing to roll back to: v" + toVersion + " was never promoted (rejected)"));
      }
      for (int i = 0; i < versions.size(); i++) {
        Version v = versions.get(i);
        String status =
            v.version() == target.version() ? "live" : v.version() == live ? "rolled-back" : v.status();
        versions.set(i, new Version(v.version(), v.trainedAtMillis(), v.labels(), v.heldBack(), status,
            v.candidate(), v.live(), v.comparedTo(), v.reason()));
      }
      live = target.version();
      return CompletableFuture.completedFuture(new RolledBack(model()));
    }
  }
}
