package dev.rootline.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of every request: looks up what the route needs in {@link AccessTable}, then the
 * caller's token in {@link ApiTokens}, and either passes the request on with its {@link
 * ApiPrincipal} or answers it itself: 401 (no or unknown token, with {@code WWW-Authenticate:
 * Bearer}) or 403 (known token, role too low, naming the role needed). The token comes from
 * {@code Authorization: Bearer <token>}; a WebSocket upgrade may give it as the {@code
 * access_token} query parameter instead, because browsers cannot set headers on a WebSocket.
 * Tokens never reach a log line or an answer; refusals are logged at debug with the path only.
 */
final class ApiAuthHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ApiAuthHandler.class);
  static final String ACCESS_TOKEN_PARAMETER = "access_token";
  private static final String REALM = "Bearer realm=\"rootline\"";

  private final ApiTokens tokens;
  private final ApiMetrics metrics;

  ApiAuthHandler(ApiTokens tokens, ApiMetrics metrics) {
    this.tokens = tokens;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AccessTable.Access access = AccessTable.required(ctx.request().method(), path(ctx));
    if (access instanceof AccessTable.Needs needs) {
      authorize(ctx, needs);
    } else {
      ctx.next();
    }
  }

  /**
   * The path the router matches on. One that cannot be normalized (bad percent-encoding) is
   * matched raw: the router answers it 400 anyway, but only after the caller is known.
   */
  private static String path(RoutingContext ctx) {
    try {
      String normalized = ctx.normalizedPath();
      return normalized != null ? normalized : ctx.request().path();
    } catch (RuntimeException undecodable) {
      return ctx.request().path();
    }
  }

  private void authorize(RoutingContext ctx, AccessTable.Needs needs) {
    Presented presented = presented(ctx);
    if (presented.malformed() != null) {
      unauthorized(ctx, REALM + ", error=\"invalid_request\"", presented.malformed());
      return;
    }
    if (presented.token() == null) {
      unauthorized(
          ctx,
          REALM,
          "this API needs a token: send 'Authorization: Bearer <token>'"
              + (isUpgrade(ctx.request()) ? " or, on the WebSocket, the access_token query parameter" : ""));
      return;
    }
    Optional<ApiPrincipal> principal = tokens.authenticate(presented.token());
    if (principal.isEmpty()) {
      unauthorized(ctx, REALM + ", error=\"invalid_token\"", "unknown token");
      return;
    }
    ApiPrincipal caller = principal.get();
    if (!caller.role().includes(needs.role())) {
      metrics.forbidden.incrementAndGet();
      log.debug("{} {} by {} ({}) -> 403", ctx.request().method(), ctx.request().path(), caller.name(), caller.role());
      JsonResponse.send(
          ctx,
          403,
          new JsonObject()
              .put("error", "forbidden")
              .put(
                  "detail",
                  needs.route() + " needs role " + needs.role().configName() + "; '" + caller.name()
                      + "' has role " + caller.role().configName())
              .put("requiredRole", needs.role().configName())
              .put("role", caller.role().configName()));
      return;
    }
    caller.attachTo(ctx);
    ctx.next();
  }

  private void unauthorized(RoutingContext ctx, String challenge, String detail) {
    metrics.unauthorized.incrementAndGet();
    log.debug("{} {} -> 401 {}", ctx.request().method(), ctx.request().path(), detail);
    ctx.response().putHeader("WWW-Authenticate", challenge);
    JsonResponse.send(ctx, 401, new JsonObject().put("error", "unauthorized").put("detail", detail));
  }

  /** A token, or why the credentials cannot be read, or neither when none were sent. */
  private record Presented(String token, String malformed) {}

  private static Presented presented(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    List<String> headers = request.headers().getAll(HttpHeaders.AUTHORIZATION);
    if (headers.size() > 1) {
      return new Presented(null, "send one Authorization header, not " + headers.size());
    }
    if (headers.size() == 1) {
      String header = headers.get(0).strip();
      int space = header.indexOf(' ');
      String scheme = space < 0 ? header : header.substring(0, space);
      if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
        return new Presented(
            null, "the Authorization scheme must be Bearer, got '" + QueryParameters.excerpt(scheme, 20) + "'");
      }
      String token = space < 0 ? "" : header.substring(space + 1).strip();
      return token.isEmpty() ? new Presented(null, "the Bearer token is empty") : new Presented(token, null);
    }
    if (isUpgrade(request)) {
      List<String> values;
      try {
        values = ctx.queryParams().getAll(ACCESS_TOKEN_PARAMETER);
      } catch (IllegalArgumentException malformedQuery) {
        return new Presented(null, "malformed query string");
      }
      if (values.size() > 1) {
        return new Presented(null, "give access_token once");
      }
      if (values.size() == 1 && !values.get(0).isEmpty()) {
        return new Presented(values.get(0), null);
      }
    }
    return new Presented(null, null);
  }

  private static boolean isUpgrade(HttpServerRequest request) {
    String upgrade = request.getHeader(HttpHeaders.UPGRADE);
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }
}
