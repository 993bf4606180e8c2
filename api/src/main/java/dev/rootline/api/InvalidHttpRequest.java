package dev.rootline.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP decoder could not parse (garbage, a request line or headers over the
 * limits) before any route sees them: the same JSON error shape as the rest of the API, then the
 * connection is closed since its byte stream cannot be trusted any more.
 */
final class InvalidHttpRequest implements Handler<HttpServerRequest> {

  private final ApiMetrics metrics;

  InvalidHttpRequest(ApiMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpServerRequest request) {
    metrics.badRequests.incrementAndGet();
    Throwable cause = request.decoderResult().cause();
    ApiProblem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = new ApiProblem(414, "uri too long", "the request line is over the limit", null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem =
          new ApiProblem(431, "headers too large", "the request headers are over the limit", null);
    } else {
      problem = ApiProblem.badRequest("malformed HTTP request");
    }
    request
        .response()
        .setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(problem.toJson().toBuffer())
        .onComplete(done -> request.connection().close());
  }
}
