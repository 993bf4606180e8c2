package dev.rootline.api;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /cluster}: this node's view of the whole cluster (members, unreachable members, the
 * leader, shard counts per node). Bounded in time; a view that fails or never comes is a 503.
 */
final class ClusterHandlers {

  private final Vertx vertx;
  private final ClusterViewSource cluster;
  private final Duration timeout;

  ClusterHandlers(Vertx vertx, ClusterViewSource cluster, Duration timeout) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.timeout = timeout;
  }

  void view(RoutingContext ctx) {
    CompletionStage<java.util.Map<String, Object>> stage;
    try {
      stage = cluster.view();
    } catch (RuntimeException e) {
      ctx.fail(unavailable(e));
      return;
    }
    Promise<JsonObject> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            timeout.toMillis(),
            t ->
                answer.tryFail(
                    new ApiProblem(
                        503,
                        "cluster view unavailable",
                        "no answer within " + timeout.toMillis() + " ms",
                        null)));
    Future.fromCompletionStage(stage, vertx.getOrCreateContext())
        .onComplete(
            result -> {
              vertx.cancelTimer(timer);
              if (result.succeeded()) {
                answer.tryComplete(new JsonObject(result.result()));
              } else {
                answer.tryFail(unavailable(result.cause()));
              }
            });
    answer.future().onSuccess(body -> JsonResponse.ok(ctx, body)).onFailure(ctx::fail);
  }

  private static ApiProblem unavailable(Throwable cause) {
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new ApiProblem(503, "cluster view unavailable", reason, cause);
  }
}
