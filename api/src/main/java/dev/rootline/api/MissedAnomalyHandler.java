package dev.rootline.api;

import dev.rootline.persistence.policy.PolicyScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /feedback/missed-anomaly} with {@code {"endpoint": "java:8082 GET /search",
 * "comment": "...", "by": "..."}}: 201 with the policy changes the tuner made (the endpoint's
 * anomaly threshold lowered a step), 200 with none when the threshold is at its floor; 400 for a
 * malformed body or an endpoint that is not "service METHOD path"; 503 without policies.
 */
final class MissedAnomalyHandler {

  private static final Set<String> FIELDS = Set.of("endpoint", "comment", "by");

  private final MissedAnomalies missed;
  private final StoreCalls store;

  MissedAnomalyHandler(MissedAnomalies missed, StoreCalls store) {
    this.missed = missed;
    this.store = store;
  }

  void report(RoutingContext ctx) {
    JsonObject body = FeedbackRequest.object(ctx);
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiProblem.badRequest("unknown field \"" + field + "\"; a missed anomaly has " + FIELDS);
      }
    }
    String endpoint = FeedbackRequest.text(body, "endpoint", FeedbackRequest.MAX_SUBJECT, true);
    try {
      new PolicyScope(PolicyScope.Kind.ENDPOINT, endpoint);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest(e.getMessage());
    }
    String comment = FeedbackRequest.text(body, "comment", FeedbackRequest.MAX_COMMENT, false);
    String by = FeedbackRequest.by(ctx, body);
    store
        .call("lowering the anomaly threshold of " + endpoint, () -> missed.report(endpoint, by, comment))
        .onSuccess(
            changes -> {
              JsonArray out = new JsonArray();
              changes.forEach(c -> out.add(PolicyJson.change(c)));
              JsonResponse.send(ctx, changes.isEmpty() ? 200 : 201,
                  new JsonObject().put("endpoint", endpoint).put("changes", out)
                      .put("note", changes.isEmpty() ? "the anomaly threshold is already at its floor" : null));
            })
        .onFailure(ctx::fail);
  }
}
