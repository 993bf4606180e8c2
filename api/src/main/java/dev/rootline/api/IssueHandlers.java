package dev.rootline.api;

import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssueQueries;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The issue actions; they run after {@link RequestValidation} and read only validated values.
 * Rendering runs inside {@link StoreCalls#respond}, so any exception there fails the request (500).
 */
final class IssueHandlers {

  private final IssueQueries issues;
  private final FeedbackGate feedback;
  private final StoreCalls store;

  IssueHandlers(IssueQueries issues, FeedbackGate feedback, StoreCalls store) {
    this.issues = issues;
    this.feedback = feedback;
    this.store = store;
  }

  /** {@code GET /issues}: one page of the prioritised issue list. */
  void list(RoutingContext ctx) {
    IssueFilter filter = RequestValidation.issueFilter(ctx);
    store.respond(
        ctx,
        "listing issues",
        () -> issues.list(filter),
        page -> {
          JsonArray items = new JsonArray();
          // Cut anyway so a lax store cannot flood us.
          page.issues().stream().limit(filter.limit()).map(IssueJson::summary).forEach(items::add);
          return new JsonObject()
              .put("issues", items)
              .put("count", items.size())
              .put("total", page.total())
              .put("limit", filter.limit())
              .put("offset", filter.offset());
        });
  }

  /** {@code GET /issues/:issueId}: timeline, example traces, ranked root causes. */
  void get(RoutingContext ctx) {
    String issueId = RequestValidation.issueId(ctx);
    store.respond(
        ctx,
        "reading issue " + issueId,
        () -> issues.get(issueId),
        found -> found.map(IssueJson::detail).orElseThrow(() -> ApiProblem.notFound("no issue " + issueId)));
  }

  /**
   * {@code POST /issues/:issueId/feedback}: 201 with the recorded feedback and the issue after it;
   * 404 for an unknown issue, 400 for a feedback that does not fit it (nothing recorded).
   */
  void giveFeedback(RoutingContext ctx) {
    String issueId = RequestValidation.issueId(ctx);
    IssueFeedback said = FeedbackRequest.parse(ctx, System.currentTimeMillis());
    store
        .call("recording feedback on issue " + issueId, () -> feedback.give(issueId, said))
        .onSuccess(
            outcome -> {
              if (outcome instanceof FeedbackGate.Accepted a) {
                JsonResponse.send(
                    ctx,
                    201,
                    new JsonObject()
                        .put("feedback", IssueJson.feedback(a.feedback()))
                        .put("issue", a.issue() == null ? null : IssueJson.summary(a.issue())));
              } else if (outcome instanceof FeedbackGate.UnknownIssue u) {
                ctx.fail(ApiProblem.notFound(u.reason()));
              } else if (outcome instanceof FeedbackGate.Refused r) {
                ctx.fail(ApiProblem.badRequest(r.reason()));
              } else {
                ctx.fail(ApiProblem.internal("no answer to a feedback", null));
              }
            })
        .onFailure(ctx::fail);
  }
}
