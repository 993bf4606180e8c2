package dev.rootline.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON answer: an {@link ApiProblem} with its own status, a status-only
 * failure raised by Vert.x Web itself (bad path encoding, no route, wrong method) with a generic
 * message, anything else as 500. Store failures and 500s are logged; client mistakes are only
 * counted.
 */
final class ApiFailureHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ApiFailureHandler.class);

  private final ApiMetrics metrics;
  private final AllowedMethods allowed;

  ApiFailureHandler(ApiMetrics metrics, AllowedMethods allowed) {
    this.metrics = metrics;
    this.allowed = allowed;
  }

  @Override
  public void handle(RoutingContext ctx) {
    answer(ctx, problemOf(ctx, ctx.statusCode()));
  }

  /**
   * For the router's error handlers: they are not always given the status on the context (a path
   * Vert.x cannot decode arrives with -1), so each is registered knowing its own.
   */
  Handler<RoutingContext> forStatus(int status) {
    return ctx -> answer(ctx, problemOf(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : status));
  }

  private void answer(RoutingContext ctx, ApiProblem problem) {
    switch (problem.status()) {
      case 400 -> metrics.badRequests.incrementAndGet();
      case 404 -> metrics.notFound.incrementAndGet();
      case 503 -> {
        metrics.storeFailures.incrementAndGet();
        log.warn(
            "{} {} -> 503 {}: {}",
            ctx.request().method(),
            ctx.request().path(),
            problem.error(),
            problem.detail(),
            problem.getCause());
      }
      default -> {
        if (problem.status() >= 500) {
          metrics.internalErrors.incrementAndGet();
          log.error(
              "{} {} -> {}", ctx.request().method(), ctx.request().path(), problem.status(),
              problem.getCause() != null ? problem.getCause() : ctx.failure());
        }
      }
    }
    if (ctx.response().headWritten()) {
      // Too late for a clean answer: cut the connection rather than send a half response.
      ctx.request().connection().close();
      return;
    }
    if (problem.status() == 405) {
      String allow = allowed.allowFor(ctx.normalizedPath());
      if (!allow.isEmpty()) {
        ctx.response().putHeader(HttpHeaders.ALLOW, allow);
      }
    }
    JsonResponse.send(ctx, problem.status(), problem.toJson());
  }

  private static ApiProblem problemOf(RoutingContext ctx, int status) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiProblem problem) {
      return problem;
    }
    if (failure instanceof HttpException http && http.getStatusCode() < 500) {
      // Raised by Vert.x Web itself, e.g. a query string that is not valid URL encoding.
      Throwable why = http.getCause() != null ? http.getCause() : http;
      return new ApiProblem(
          http.getStatusCode(),
          http.getStatusCode() == 404 ? "not found" : "bad request",
          "malformed request: " + QueryParameters.excerpt(String.valueOf(why.getMessage()), 160),
          null);
    }
    if (failure != null) {
      return ApiProblem.internal(
          "unexpected " + failure.getClass().getSimpleName() + " while serving the request",
          failure);
    }
    return switch (status) {
      case 400 -> ApiProblem.badRequest("malformed request");
      case 404 -> ApiProblem.notFound("no such resource: " + QueryParameters.excerpt(String.valueOf(ctx.request().path()), 160));
      case 405 -> ApiProblem.methodNotAllowed(
          ctx.request().method()
              + " is not supported on "
              + QueryParameters.excerpt(String.valueOf(ctx.request().path()), 160));
      case -1, 500 -> ApiProblem.internal("request failed", null);
      default -> new ApiProblem(
          status, status < 500 ? "bad request" : "internal error", "status " + status, null);
    };
  }
}
