package dev.rootline.api;

import dev.rootline.persistence.TraceQueries;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The one place that maps URLs to handlers. Every request first passes {@link ApiAuthHandler}
 * (the role each route needs is in {@link AccessTable}); each route is then validation first, then
 * the action; all failures, and every path or method no route takes, end in {@link
 * ApiFailureHandler}'s JSON.
 */
final class ApiRouter {

  private ApiRouter() {}

  static Router create(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      IssueSources issues,
      StatsSource stats,
      LiveTraceStream stream,
      ApiMetrics metrics,
      ClusterViewSource cluster,
      ControlSources control,
      ApiTokens tokens) {
    StoreCalls store = new StoreCalls(vertx, settings.storeTimeout());
    TraceHandlers traceHandlers = new TraceHandlers(traces, store);
    IssueHandlers issueHandlers = new IssueHandlers(issues.queries(), issues.feedback(), store);
    IssueSeries issueSeries = new IssueSeries(issues.queries(), traces, store);
    Router v1 = Router.router(vertx);
    ApiFailureHandler failures = new ApiFailureHandler(metrics, new AllowedMethods("/api/v1", v1));
    ClusterHandlers clusterHandlers =
        new ClusterHandlers(vertx, cluster, settings.storeTimeout());
    ModelHandlers modelHandlers = new ModelHandlers(control.models(), store);

    PolicyHandlers policyHandlers = new PolicyHandlers(control.policies(), store);
    MissedAnomalyHandler missedHandler = new MissedAnomalyHandler(control.missed(), store);
    BodyHandler policyBody = BodyHandler.create(false).setBodyLimit(PolicyRequests.MAX_BODY_BYTES);

    v1.get("/health").handler(ApiRouter::health);
    v1.get("/stats").handler(ctx -> JsonResponse.ok(ctx, new JsonObject(stats.snapshot())));
    v1.get("/traces").handler(RequestValidation.traceFilter(settings)).handler(traceHandlers::list);
    v1.get("/traces/:traceId").handler(RequestValidation.traceId()).handler(traceHandlers::get);
    v1.get("/issues").handler(RequestValidation.issueFilter(settings)).handler(issueHandlers::list);
    v1.get("/issues/:issueId").handler(RequestValidation.issueId()).handler(issueHandlers::get);
    v1.get("/issues/:issueId/series").handler(RequestValidation.issueId()).handler(issueSeries::get);
    v1.post("/issues/:issueId/feedback")
        .handler(BodyHandler.create(false).setBodyLimit(FeedbackRequest.MAX_BODY_BYTES))
        .handler(RequestValidation.issueId())
        .handler(issueHandlers::giveFeedback);
    v1.post("/feedback/missed-anomaly")
        .handler(BodyHandler.create(false).setBodyLimit(FeedbackRequest.MAX_BODY_BYTES))
        .handler(missedHandler::report);
    v1.get("/stream").handler(stream::open);
    v1.get("/cluster").handler(clusterHandlers::view);
    v1.get("/auth/whoami").handler(ApiRouter::whoami);
    v1.get("/models").handler(ModelHandlers.listRequest()).handler(modelHandlers::list);
    v1.post("/models/:name/rollback")
        .handler(BodyHandler.create(false).setBodyLimit(ModelHandlers.MAX_BODY_BYTES))
        .handler(ModelHandlers.rollbackRequest())
        .handler(modelHandlers::rollback);
    v1.get("/policies").handler(policyHandlers::list);
    v1.get("/policies/:scope").handler(PolicyRequests.scope(false)).handler(policyHandlers::get);
    v1.put("/policies/:scope").handler(policyBody).handler(PolicyRequests.scope(false))
        .handler(PolicyRequests.user()).handler(PolicyRequests.policyBody()).handler(policyHandlers::put);
    v1.patch("/policies/:scope").handler(policyBody).handler(PolicyRequests.scope(false))
        .handler(PolicyRequests.user()).handler(PolicyRequests.policyBody()).handler(policyHandlers::patch);
    v1.get("/policies/:scope/history").handler(PolicyRequests.scope(true))
        .handler(PolicyRequests.page(settings)).handler(policyHandlers::history);
    v1.post("/policies/:scope/revert").handler(policyBody).handler(PolicyRequests.scope(false))
        .handler(PolicyRequests.user()).handler(PolicyRequests.revertBody()).handler(policyHandlers::revert);
    v1.route().failureHandler(failures);

    Router root = Router.router(vertx);
    root.route().handler(ctx -> countRequest(ctx, metrics));
    root.route().handler(new ApiAuthHandler(tokens, metrics));
    root.route("/api/v1/*").subRouter(v1);
    // The web UI: static files, public (they hold no data; every call they make needs a token).
    root.get("/").handler(ctx -> redirect(ctx, "/ui/"));
    // A regex route matches the whole path: a plain "/ui" route would also take "/ui/" and loop.
    root.getWithRegex("/ui").handler(ctx -> redirect(ctx, "/ui/"));
    root.get("/ui/*").handler(WebUi::securityHeaders).handler(WebUi.files());
    root.route().failureHandler(failures);
    // Unmatched paths and methods: Vert.x Web reports them by status; answer them in JSON too.
    root.errorHandler(400, failures.forStatus(400));
    root.errorHandler(404, failures.forStatus(404));
    root.errorHandler(405, failures.forStatus(405));
    root.errorHandler(500, failures.forStatus(500));
    return root;
  }

  private static void health(RoutingContext ctx) {
    JsonResponse.ok(ctx, new JsonObject().put("status", "ok"));
  }

  private static void whoami(RoutingContext ctx) {
    QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
    ApiPrincipal caller = ApiPrincipal.of(ctx);
    JsonResponse.ok(ctx, new JsonObject().put("name", caller.name()).put("role", caller.role().configName()));
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(302).putHeader("Location", to).end();
  }

  private static void countRequest(RoutingContext ctx, ApiMetrics metrics) {
    metrics.requests.incrementAndGet();
    ctx.next();
  }
}
