package dev.rootline.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /models} (versions, metrics, which is live) and {@code POST /models/:name/rollback}
 * (optional body {@code {"toVersion": N}}). The rollback's validation step ({@link
 * #rollbackRequest()}) runs first; the actions read only validated values.
 */
final class ModelHandlers {

  /** Bodies beyond this are refused before they are read (the only field is a number). */
  static final long MAX_BODY_BYTES = 1024;

  private static final String NAME = "rootline.api.modelName";
  private static final String TO_VERSION = "rootline.api.toVersion";
  private static final Pattern NAME_FORM = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private final ModelSources models;
  private final StoreCalls store;

  ModelHandlers(ModelSources models, StoreCalls store) {
    this.models = models;
    this.store = store;
  }

  /** {@code GET /models}: no query. */
  static Handler<RoutingContext> listRequest() {
    return ctx -> {
      QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      ctx.next();
    };
  }

  /**
   * {@code POST /models/:name/rollback}: a model name (lower-case letters, digits, '-'), no query,
   * and a body that is empty or a JSON object with at most {@code toVersion}, a positive integer.
   */
  static Handler<RoutingContext> rollbackRequest() {
    return ctx -> {
      QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      String name = ctx.pathParam("name");
      if (name == null || !NAME_FORM.matcher(name).matches()) {
        throw ApiProblem.badRequest(
            "model name must be lower-case letters, digits and '-' (at most 64), got '"
                + QueryParameters.excerpt(String.valueOf(name)) + "'");
      }
      ctx.put(NAME, name);
      ctx.put(TO_VERSION, toVersion(ctx.body() == null ? null : ctx.body().buffer()));
      ctx.next();
    };
  }

  private static Long toVersion(Buffer body) {
    if (body == null || body.toString().isBlank()) {
      return null;
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException malformed) {
      throw ApiProblem.badRequest("the body must be JSON, e.g. {\"toVersion\": 2}, or empty");
    }
    if (!(parsed instanceof JsonObject json)) {
      throw ApiProblem.badRequest("the body must be a JSON object, e.g. {\"toVersion\": 2}, or empty");
    }
    for (String field : json.fieldNames()) {
      if (!field.equals("toVersion")) {
        throw ApiProblem.badRequest(
            "unknown field '" + QueryParameters.excerpt(field) + "'; the body takes only toVersion");
      }
    }
    Object value = json.getValue("toVersion");
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < 1
        || n.doubleValue() > Long.MAX_VALUE) {
      throw ApiProblem.badRequest(
          "toVersion must be a positive integer, got " + QueryParameters.excerpt(String.valueOf(value)));
    }
    return n.longValue();
  }

  /** {@code GET /models}: every model with its versions. */
  void list(RoutingContext ctx) {
    store.respond(
        ctx,
        "listing models",
        models::list,
        list -> {
          JsonArray items = new JsonArray();
          list.stream().map(ModelHandlers::model).forEach(items::add);
          return new JsonObject().put("models", items);
        });
  }

  /** {@code POST /models/:name/rollback}: 200 with the model, 404 unknown, 409 nothing to roll back to. */
  void rollback(RoutingContext ctx) {
    String name = ctx.get(NAME);
    Long toVersion = ctx.get(TO_VERSION);
    store
        .call(
            "rolling back model " + name + (toVersion == null ? "" : " to v" + toVersion),
            () -> models.rollback(name, toVersion))
        .map(ModelHandlers::rolledBack)
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  private static JsonObject rolledBack(ModelSources.RollbackResult result) {
    if (result instanceof ModelSources.RolledBack done) {
      return model(done.model());
    }
    if (result instanceof ModelSources.UnknownModel unknown) {
      throw ApiProblem.notFound("no model " + QueryParameters.excerpt(String.valueOf(unknown.name())));
    }
    if (result instanceof ModelSources.NothingToRollBack refused) {
      throw new ApiProblem(409, "conflict", refused.reason(), null);
    }
    throw ApiProblem.internal("the model source answered the rollback with " + result, null);
  }

  static JsonObject model(ModelSources.Model m) {
    JsonArray versions = new JsonArray();
    m.versions().stream().map(ModelHandlers::version).forEach(versions::add);
    return new JsonObject()
        .put("name", m.name())
        .put("live", m.live())
        .put("labels", m.labels())
        .put("versions", versions);
  }

  static JsonObject version(ModelSources.Version v) {
    return new JsonObject()
        .put("version", v.version())
        .put("trainedAt", Instant.ofEpochMilli(v.trainedAtMillis()).toString())
        .put("trainedAtEpochMillis", v.trainedAtMillis())
        .put("labels", v.labels())
        .put("heldBack", v.heldBack())
        .put("status", v.status())
        .put(
            "metrics",
            new JsonObject()
                .put("candidate", metrics(v.candidate()))
                .put("live", metrics(v.live()))
                .put("comparedTo", v.comparedTo()))
        .put("reason", v.reason());
  }

  private static JsonObject metrics(ModelSources.Metrics m) {
    if (m == null) {
      return null;
    }
    return new JsonObject()
        .put("rankings", m.rankings())
        .put("ac1", round(m.ac1()))
        .put("ac3", round(m.ac3()))
        .put("ac5", round(m.ac5()))
        .put("meanRank", round(m.meanRank()));
  }

  // Four decimals: enough for a share, no float noise in the JSON.
  private static double round(double x) {
    return Double.isFinite(x) ? Math.round(x * 10_000) / 10_000.0 : 0;
  }
}
