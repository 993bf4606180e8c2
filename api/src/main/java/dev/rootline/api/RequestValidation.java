package dev.rootline.api;

import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.TraceFilter;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The validation step that runs before each action: it parses the request into a typed value kept
 * on the routing context, or fails it with a 400. Actions then read only validated values.
 */
final class RequestValidation {

  private static final String FILTER = "rootline.api.traceFilter";
  private static final String TRACE_ID = "rootline.api.traceId";
  private static final Pattern TRACE_ID_FORM = Pattern.compile("[0-9a-fA-F]{32}");
  private static final String ISSUE_FILTER = "rootline.api.issueFilter";
  private static final String ISSUE_ID = "rootline.api.issueId";
  // Fingerprints are short hex strings; anything else cannot name an issue.
  private static final Pattern ISSUE_ID_FORM = Pattern.compile("[0-9a-fA-F]{1,64}");

  private RequestValidation() {}

  /** {@code GET /traces}: service, from, to, limit; nothing else. */
  static Handler<RoutingContext> traceFilter(ApiSettings settings) {
    return parsedQuery(
        FILTER,
        params -> TraceFilterParameters.parse(params, settings.defaultLimit(), settings.maxLimit()));
  }

  /** {@code GET /traces/:traceId}: a W3C trace id (32 hex chars, either case) and no query. */
  static Handler<RoutingContext> traceId() {
    return pathId("traceId", TRACE_ID_FORM, "32 hex characters", TRACE_ID);
  }

  /** {@code GET /issues}: service, status, limit, offset; nothing else. */
  static Handler<RoutingContext> issueFilter(ApiSettings settings) {
    return parsedQuery(
        ISSUE_FILTER,
        params -> IssueFilterParameters.parse(params, settings.defaultLimit(), settings.maxLimit()));
  }

  /** {@code GET /issues/:issueId}: a fingerprint (1 to 64 hex chars, either case) and no query. */
  static Handler<RoutingContext> issueId() {
    return pathId("issueId", ISSUE_ID_FORM, "1 to 64 hex characters", ISSUE_ID);
  }

  /** Parses the query string into a value kept under {@code key}. */
  private static Handler<RoutingContext> parsedQuery(String key, Function<MultiMap, Object> parse) {
    return ctx -> {
      ctx.put(key, parse.apply(QueryParameters.of(ctx)));
      ctx.next();
    };
  }

  /** A hex id path parameter, lower-cased under {@code key}; the route takes no query. */
  private static Handler<RoutingContext> pathId(String name, Pattern form, String expected, String key) {
    return ctx -> {
      QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      String raw = ctx.pathParam(name);
      if (raw == null || !form.matcher(raw).matches()) {
        throw ApiProblem.badRequest(
            name + " must be " + expected + ", got '" + QueryParameters.excerpt(String.valueOf(raw)) + "'");
      }
      ctx.put(key, raw.toLowerCase(Locale.ROOT));
      ctx.next();
    };
  }

  static IssueFilter issueFilter(RoutingContext ctx) {
    return ctx.get(ISSUE_FILTER);
  }

  static String issueId(RoutingContext ctx) {
    return ctx.get(ISSUE_ID);
  }

  static TraceFilter filter(RoutingContext ctx) {
    return ctx.get(FILTER);
  }

  static String traceId(RoutingContext ctx) {
    return ctx.get(TRACE_ID);
  }
}
