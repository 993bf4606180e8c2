package dev.rootline.api;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The validation steps of {@code /api/v1/policies}: the scope in the path, the caller's name, the
 * JSON body of PUT, PATCH and revert, the history's paging. Each parses into a typed value kept on
 * the routing context or fails the request with a 400 saying what is wrong; the actions then read
 * only validated values.
 */
final class PolicyRequests {

  static final List<String> POLICY_FIELDS =
      List.of("capture", "payloadBytes", "normalShare", "anomalyThreshold", "quietPeriodMillis", "maskingRules",
          "mutedFingerprints", "reason");

  static final List<String> REVERT_FIELDS = List.of("revision", "reason");

  static final int MAX_REASON = 1000;
  static final int MAX_HISTORY_OFFSET = 100_000;
  /** A whole policy with 1000 muted fingerprints is ~20 KiB. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private static final String SCOPE = "rootline.api.policyScope";
  private static final String USER = "rootline.api.policyUser";
  private static final String POLICY = "rootline.api.policyBody";
  private static final String REASON = "rootline.api.policyReason";
  private static final String REVISION = "rootline.api.policyRevision";
  private static final String PAGE = "rootline.api.policyPage";

  /** Offset and limit of a history page. */
  record Page(int offset, int limit) {}

  private PolicyRequests() {}

  /** The {@code :scope} path parameter (URL-decoded by the router) as a scope; no query. */
  static Handler<RoutingContext> scope(boolean takesQuery) {
    return ctx -> {
      if (!takesQuery) {
        QueryParameters.requireOnly(QueryParameters.of(ctx), List.of());
      }
      String raw = ctx.pathParam("scope");
      try {
        ctx.put(SCOPE, PolicyScope.parse(raw));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest(QueryParameters.excerpt(String.valueOf(e.getMessage()), 240));
      }
      ctx.next();
    };
  }

  /**
   * Who makes the change (the history's "by"): the caller's token name. The {@code
   * X-Rootline-User} header that named it before tokens existed is ignored: a header anyone can set
   * must not decide whose name a change carries.
   */
  static Handler<RoutingContext> user() {
    return ctx -> {
      ctx.put(USER, ApiPrincipal.of(ctx).name());
      ctx.next();
    };
  }

  /** PUT and PATCH: a JSON object of policy fields and an optional reason, nothing else. */
  static Handler<RoutingContext> policyBody() {
    return ctx -> {
      JsonObject body = jsonObject(ctx);
      for (String name : body.fieldNames()) {
        if (!POLICY_FIELDS.contains(name)) {
          throw ApiProblem.badRequest(
              "unknown field '" + QueryParameters.excerpt(name) + "'; allowed: " + String.join(", ", POLICY_FIELDS));
        }
      }
      CapturePolicy policy =
          new CapturePolicy(
              bool(body, "capture"),
              integer(body, "payloadBytes"),
              number(body, "normalShare"),
              number(body, "anomalyThreshold"),
              longInteger(body, "quietPeriodMillis"),
              strings(body, "maskingRules"),
              strings(body, "mutedFingerprints"));
      List<String> problems = policy.problems();
      if (!problems.isEmpty()) {
        throw ApiProblem.badRequest(String.join("; ", problems));
      }
      ctx.put(POLICY, policy);
      ctx.put(REASON, reason(body));
      ctx.next();
    };
  }

  /** Revert: {@code {"revision": N, "reason": "..."}}, N at least 1. */
  static Handler<RoutingContext> revertBody() {
    return ctx -> {
      JsonObject body = jsonObject(ctx);
      for (String name : body.fieldNames()) {
        if (!REVERT_FIELDS.contains(name)) {
          throw ApiProblem.badRequest(
              "unknown field '" + QueryParameters.excerpt(name) + "'; allowed: " + String.join(", ", REVERT_FIELDS));
        }
      }
      Long revision = longInteger(body, "revision");
      if (revision == null || revision < 1) {
        throw ApiProblem.badRequest("revision must be the revision to revert, an integer of at least 1");
      }
      ctx.put(REVISION, revision);
      ctx.put(REASON, reason(body));
      ctx.next();
    };
  }

  /** History paging: limit 1..max-limit (default default-limit), offset 0..100000. */
  static Handler<RoutingContext> page(ApiSettings settings) {
    return ctx -> {
      MultiMap params = QueryParameters.of(ctx);
      QueryParameters.requireOnly(params, List.of("limit", "offset"));
      int limit =
          TraceFilterParameters.limit(QueryParameters.single(params, "limit"), settings.defaultLimit(), settings.maxLimit());
      String rawOffset = QueryParameters.single(params, "offset");
      int offset = 0;
      if (rawOffset != null) {
        offset = rawOffset.matches("\\d{1,9}") ? Integer.parseInt(rawOffset) : -1;
        if (offset < 0 || offset > MAX_HISTORY_OFFSET) {
          throw ApiProblem.badRequest(
              "offset must be an integer between 0 and " + MAX_HISTORY_OFFSET + ", got '"
                  + QueryParameters.excerpt(rawOffset) + "'");
        }
      }
      ctx.put(PAGE, new Page(offset, limit));
      ctx.next();
    };
  }

  static PolicyScope scope(RoutingContext ctx) {
    return ctx.get(SCOPE);
  }

  static String user(RoutingContext ctx) {
    return ctx.get(USER);
  }

  static CapturePolicy policy(RoutingContext ctx) {
    return ctx.get(POLICY);
  }

  static String reason(RoutingContext ctx) {
    return ctx.get(REASON);
  }

  static long revision(RoutingContext ctx) {
    return ctx.get(REVISION);
  }

  static Page page(RoutingContext ctx) {
    return ctx.get(PAGE);
  }

  private static JsonObject jsonObject(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw ApiProblem.badRequest("the request needs a JSON object body");
    }
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw ApiProblem.badRequest("the body is not valid JSON: " + QueryParameters.excerpt(String.valueOf(e.getMessage()), 160));
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiProblem.badRequest("the body must be a JSON object");
    }
    return object;
  }

  private static String reason(JsonObject body) {
    Object value = body.getValue("reason");
    if (value == null) {
      return "";
    }
    if (!(value instanceof String reason) || reason.length() > MAX_REASON) {
      throw ApiProblem.badRequest("reason must be a string of at most " + MAX_REASON + " characters");
    }
    return reason;
  }

  private static Boolean bool(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null || value instanceof Boolean) {
      return (Boolean) value;
    }
    throw wrongType(name, "true or false", value);
  }

  private static Integer integer(JsonObject body, String name) {
    Long value = longInteger(body, name);
    if (value == null) {
      return null;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw wrongType(name, "an integer", value);
    }
    return value.intValue();
  }

  private static Long longInteger(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < 64) {
      return big.longValue();
    }
    throw wrongType(name, "an integer", value);
  }

  private static Double number(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    throw wrongType(name, "a number", value);
  }

  private static List<String> strings(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null) {
      return null;
    }
    if (value instanceof JsonArray array) {
      List<String> out = new ArrayList<>(array.size());
      for (Object item : array) {
        if (!(item instanceof String s)) {
          throw wrongType(name, "an array of strings", value);
        }
        out.add(s);
      }
      return out;
    }
    throw wrongType(name, "an array of strings", value);
  }

  private static ApiProblem wrongType(String name, String expected, Object value) {
    String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    return ApiProblem.badRequest(name + " must be " + expected + ", got " + QueryParameters.excerpt(shown));
  }
}
