package dev.rootline.api;

import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceQueries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The trace actions; they run after {@link RequestValidation} and read only validated values.
 * Rendering runs inside {@link StoreCalls#respond}, so any exception there fails the request
 * (500) instead of escaping into a callback and leaving the client waiting.
 */
final class TraceHandlers {

  private final TraceQueries traces;
  private final StoreCalls store;

  TraceHandlers(TraceQueries traces, StoreCalls store) {
    this.traces = traces;
    this.store = store;
  }

  /** {@code GET /traces}: retained traces, newest first. */
  void list(RoutingContext ctx) {
    TraceFilter filter = RequestValidation.filter(ctx);
    store.respond(
        ctx,
        "listing traces",
        () -> traces.list(filter),
        summaries -> {
          JsonArray items = new JsonArray();
          // The store is asked for at most limit; cut anyway so a lax store cannot flood us.
          summaries.stream().limit(filter.limit()).map(TraceJson::summary).forEach(items::add);
          return new JsonObject()
              .put("traces", items)
              .put("count", items.size())
              .put("limit", filter.limit());
        });
  }

  /** {@code GET /traces/:traceId}: the summary and the span tree. */
  void get(RoutingContext ctx) {
    String traceId = RequestValidation.traceId(ctx);
    store.respond(
        ctx,
        "reading trace " + traceId,
        () -> traces.get(traceId),
        found ->
            found
                .map(SpanTree::toJson)
                .orElseThrow(() -> ApiProblem.notFound("no retained trace " + traceId)));
  }
}
