package dev.rootline.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes a JSON body with its status; every answer of the API goes through here. */
final class JsonResponse {

  private JsonResponse() {}

  static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return; // the client went away; nothing left to answer
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.toBuffer());
  }

  static void ok(RoutingContext ctx, JsonObject body) {
    send(ctx, 200, body);
  }
}
