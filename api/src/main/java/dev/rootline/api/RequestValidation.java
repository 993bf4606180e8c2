package dev.rootline.api;

import dev.rootline.persistence.IssueFilter;
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
  private static final String ISSUE_FILTER = "rootline.api.issueFilter";
  private static final String ISSUE_ID = "rootline.api.issueId";
  // Fingerprints are short hex strings; anything else cannot name an issue.
  private static final Pattern ISSUE_ID_FORM = Pattern.compile("[0-9a-fA-F]{1,64}");

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

  /** {@code GET /issues}: service, status, limit, offset; nothing else. */
  static Handler<RoutingContext> issueFilter(ApiSettings settings) {
    return ctx -> {
      ctx.put(
          ISSUE_FILTER,
          IssueFilterParameters.parse(
              QueryParameters.of(ctx), settings.defaultLimit(), settings.maxLimit()));
      ctx.next();
    };
  }

  /** {@code GET /issues/:issueId}: a fingerprint (1 to 64 hex chars, either case) and no query. */
  static Handler<RoutingContext> issueId() {
    return ctx -> {
      QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      String raw = ctx.pathParam("issueId");
      if (raw == null || !ISSUE_ID_FORM.matcher(raw).matches()) {
        throw ApiProblem.badRequest(
            "issueId must be 1 to 64 hex characters, got '"
                + QueryParameters.excerpt(String.valueOf(raw))
                + "'");
      }
      ctx.put(ISSUE_ID, raw.toLowerCase(Locale.ROOT));
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
