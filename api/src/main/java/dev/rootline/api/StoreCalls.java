package dev.rootline.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls the trace store and brings its answer back on the request's event loop, bounded in time.
 * A store that fails, throws or never answers becomes a 503 "store unavailable"; the request
 * never hangs on it.
 */
final class StoreCalls {

  private final Vertx vertx;
  private final Duration timeout;

  StoreCalls(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  <T> Future<T> call(String what, Supplier<CompletionStage<T>> query) {
    Context context = vertx.getOrCreateContext();
    CompletionStage<T> stage;
    try {
      stage = query.get();
    } catch (RuntimeException thrown) {
      return Future.failedFuture(unavailable(what, thrown));
    }
    if (stage == null) {
      return Future.failedFuture(
          ApiProblem.internal("the trace store returned no answer to " + what, null));
    }
    Promise<T> answer = Promise.promise();
    long timer =
        vertx.setTimer(
            timeout.toMillis(),
            t ->
                answer.tryFail(
                    ApiProblem.storeUnavailable(
                        "the trace store did not answer " + what + " within " + timeout.toMillis() + " ms",
                        null)));
    Future.fromCompletionStage(stage, context)
        .onComplete(
            result -> {
              vertx.cancelTimer(timer);
              if (result.succeeded()) {
                answer.tryComplete(result.result());
              } else {
                answer.tryFail(unavailable(what, result.cause()));
              }
            });
    return answer.future();
  }

  /**
   * Answers the request with the store's answer rendered as JSON; a failure (the store's, or an
   * exception while rendering, which runs inside {@code map}) fails the request instead of
   * leaving the client waiting.
   */
  <T> void respond(
      RoutingContext ctx, String what, Supplier<CompletionStage<T>> query, Function<T, JsonObject> render) {
    call(what, query)
        .map(render)
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  private static ApiProblem unavailable(String what, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return ApiProblem.storeUnavailable(what + " failed: " + reason, cause);
  }
}
