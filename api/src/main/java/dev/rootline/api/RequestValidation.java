package dev.rootline.api;

import dev.rootline.persistence.TraceFilter;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The validation step that runs before each action: it parses the request into a typed value kept
 * on the routing context, or fails it with a 400. Actions then read only validated values.
 */
final class RequestValidation {

  private static final String FILTER = "rootline.api.traceFilter";
  private static final String TRACE_ID = "rootline.api.traceId";
  private static final Pattern TRACE_ID_FORM = Pattern.compile("[0-9a-fA-F]{32}");

  private RequestValidation() {}

  /** {@code GET /traces}: service, from, to, limit; nothing else. */
  static Handler<RoutingContext> traceFilter(ApiSettings settings) {
    return ctx -> {
      ctx.put(
          FILTER,
          TraceFilterParameters.parse(
              QueryParameters.of(ctx), settings.defaultLimit(), settings.maxLimit()));
      ctx.next();
    };
  }

  /** {@code GET /traces/:traceId}: a W3C trace id (32 hex chars, either case) and no query. */
  static Handler<RoutingContext> traceId() {
    return ctx -> {
      QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      String raw = ctx.pathParam("traceId");
      if (raw == null || !TRACE_ID_FORM.matcher(raw).matches()) {
        throw ApiProblem.badRequest(
            "traceId must be 32 hex characters, got '"
                + QueryParameters.excerpt(String.valueOf(raw))
                + "'");
      }
      ctx.put(TRACE_ID, raw.toLowerCase(Locale.ROOT));
      ctx.next();
    };
  }

  static TraceFilter filter(RoutingContext ctx) {
    return ctx.get(FILTER);
  }

  static String traceId(RoutingContext ctx) {
    return ctx.get(TRACE_ID);
  }
}
