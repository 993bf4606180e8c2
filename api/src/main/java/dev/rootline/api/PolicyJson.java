package dev.rootline.api;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The JSON shapes of capture policies. A policy lists only the fields it sets (an override
 * object; {@code {}} is "inherit everything"); an effective policy sets them all. Times are
 * ISO-8601 plus the exact epoch millis; links are API paths with the scope URL-encoded.
 */
final class PolicyJson {

  private PolicyJson() {}

  static JsonObject policy(CapturePolicy p) {
    JsonObject json = new JsonObject();
    if (p.capture() != null) {
      json.put("capture", p.capture());
    }
    if (p.payloadBytes() != null) {
      json.put("payloadBytes", p.payloadBytes());
    }
    if (p.normalShare() != null) {
      json.put("normalShare", p.normalShare());
    }
    if (p.anomalyThreshold() != null) {
      json.put("anomalyThreshold", p.anomalyThreshold());
    }
    if (p.quietPeriodMillis() != null) {
      json.put("quietPeriodMillis", p.quietPeriodMillis());
    }
    if (p.maskingRules() != null) {
      json.put("maskingRules", new JsonArray(p.maskingRules()));
    }
    if (p.mutedFingerprints() != null) {
      json.put("mutedFingerprints", new JsonArray(p.mutedFingerprints()));
    }
    return json;
  }

  /** A scope's own policy, its revision and the policy in force there. */
  static JsonObject scoped(ScopedPolicy own, PolicySet set) {
    PolicyScope scope = own.scope();
    return new JsonObject()
        .put("scope", scope.key())
        .put("kind", scope.kind().name().toLowerCase(Locale.ROOT))
        .put("name", scope.name().isEmpty() ? null : scope.name())
        .put("revision", own.revision())
        .put("policy", policy(own.policy()))
        .put("effective", policy(effective(set.with(own), scope)))
        .put("changedAt", own.revision() == 0 ? null : Instant.ofEpochMilli(own.changedAtMillis()).toString())
        .put("changedAtEpochMillis", own.revision() == 0 ? null : own.changedAtMillis())
        .put("link", link(scope));
  }

  static JsonObject change(PolicyChange c) {
    return new JsonObject()
        .put("scope", c.scope().key())
        .put("revision", c.revision())
        .put("before", policy(c.before()))
        .put("after", policy(c.after()))
        .put("source", c.source())
        .put("reason", c.reason())
        .put("by", c.by())
        .put("at", Instant.ofEpochMilli(c.atMillis()).toString())
        .put("atEpochMillis", c.atMillis())
        .put("cause", c.cause())
        .put("expiresAt", c.expiresAtMillis() > 0 ? Instant.ofEpochMilli(c.expiresAtMillis()).toString() : null)
        .put("expiresAtEpochMillis", c.expiresAtMillis() > 0 ? c.expiresAtMillis() : null);
  }

  /**
   * The policy in force for requests of the scope: a host's over the global one; a service's over
   * the global one; an endpoint's over its service's (the first word of its name) over the global.
   */
  static CapturePolicy effective(PolicySet set, PolicyScope scope) {
    return switch (scope.kind()) {
      case GLOBAL -> set.global();
      case HOST -> set.effective(scope.name(), null, null);
      case SERVICE -> set.effective(null, scope.name(), null);
      case ENDPOINT -> set.effective(null, scope.name().trim().split(" +")[0], scope.name());
    };
  }

  static String link(PolicyScope scope) {
    return "/api/v1/policies/" + URLEncoder.encode(scope.key(), StandardCharsets.UTF_8).replace("+", "%20");
  }
}
