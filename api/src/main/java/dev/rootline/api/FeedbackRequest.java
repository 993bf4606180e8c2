package dev.rootline.api;

import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.RootCause;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the body of {@code POST /issues/{id}/feedback}:
 *
 * <pre>{"kind": "confirm" | "reject" | "name-cause" | "noise",
 *  "level": "host" | "service" | "endpoint" | "attribute", "subject": "java:8082",
 *  "comment": "...", "by": "alice"}</pre>
 *
 * {@code level} and {@code subject} are required except for noise. The author is the caller's
 * token name ({@link ApiPrincipal}): a body's {@code by} is still accepted (older clients send
 * it) but checked and ignored, so nobody can give feedback in someone else's name. Anything else is
 * a 400 naming the field.
 */
final class FeedbackRequest {

  static final int MAX_BODY_BYTES = 16 * 1024;
  static final int MAX_SUBJECT = 1000;
  static final int MAX_COMMENT = 4000;
  static final int MAX_BY = 200;
  private static final Set<String> FIELDS = Set.of("kind", "level", "subject", "comment", "by");

  private FeedbackRequest() {}

  static IssueFeedback parse(RoutingContext ctx, long nowMillis) {
    JsonObject body = object(ctx);
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ApiProblem.badRequest("unknown field \"" + field + "\"; a feedback has " + FIELDS);
      }
    }
    IssueFeedback.Kind kind = kind(text(body, "kind", 32, true));
    String levelText = text(body, "level", 32, kind != IssueFeedback.Kind.NOISE);
    String subject = text(body, "subject", MAX_SUBJECT, kind != IssueFeedback.Kind.NOISE);
    if (kind == IssueFeedback.Kind.NOISE && (levelText != null || subject != null)) {
      throw ApiProblem.badRequest("noise is said of the whole issue: no level or subject");
    }
    String comment = text(body, "comment", MAX_COMMENT, false);
    String by = by(ctx, body);
    return new IssueFeedback(
        UUID.randomUUID().toString(), kind, levelText == null ? null : level(levelText), subject, comment, by,
        nowMillis);
  }

  /** Who said it: the authenticated caller (the body's "by" is validated, then ignored). */
  static String by(RoutingContext ctx, JsonObject body) {
    text(body, "by", MAX_BY, false);
    return ApiPrincipal.of(ctx).name();
  }

  static String kindName(IssueFeedback.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static JsonObject object(RoutingContext ctx) {
    String raw = ctx.body() == null ? null : ctx.body().asString();
    if (raw == null || raw.isBlank()) {
      throw ApiProblem.badRequest("a feedback is a JSON object, e.g. {\"kind\":\"confirm\",\"level\":\"service\",\"subject\":\"java:8082\"}");
    }
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(raw);
      if (parsed instanceof JsonObject o) {
        return o;
      }
    } catch (DecodeException e) {
      throw ApiProblem.badRequest("the body is not JSON: " + e.getMessage());
    }
    throw ApiProblem.badRequest("a feedback is a JSON object");
  }

  static String text(JsonObject body, String field, int max, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        throw ApiProblem.badRequest("\"" + field + "\" is required");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw ApiProblem.badRequest("\"" + field + "\" is a string");
    }
    if (s.isBlank() || s.length() > max) {
      throw ApiProblem.badRequest("\"" + field + "\" is 1 to " + max + " characters");
    }
    return s;
  }

  private static IssueFeedback.Kind kind(String text) {
    for (IssueFeedback.Kind k : IssueFeedback.Kind.values()) {
      if (kindName(k).equals(text.toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw ApiProblem.badRequest("unknown kind \"" + text + "\"; one of confirm, reject, name-cause, noise");
  }

  private static RootCause.Level level(String text) {
    try {
      return RootCause.Level.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiProblem.badRequest("unknown level \"" + text + "\"; one of host, service, endpoint, attribute");
    }
  }
}
