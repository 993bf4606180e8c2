package dev.rootline.api;

import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The JSON shapes of issues, shared by the list, one issue and the live stream so the UI parses
 * one form. Times are ISO-8601 plus the exact epoch millis; links are API paths.
 */
final class IssueJson {

  private IssueJson() {}

  static JsonObject summary(IssueSummary s) {
    return new JsonObject()
        .put("issueId", s.issueId())
        .put("title", s.title())
        .put("kind", s.kind())
        .put("service", s.service())
        .put("endpoint", s.endpoint())
        .put("status", s.status())
        .put("priority", round(s.priority()))
        .put("severity", round(s.severity()))
        .put("occurrences", s.occurrences())
        .put("affectedRequests", s.affectedRequests())
        .put("firstSeen", Instant.ofEpochMilli(s.firstSeenMillis()).toString())
        .put("firstSeenEpochMillis", s.firstSeenMillis())
        .put("lastSeen", Instant.ofEpochMilli(s.lastSeenMillis()).toString())
        .put("lastSeenEpochMillis", s.lastSeenMillis())
        .put("topRootCause", s.topRootCause() == null ? null : rootCause(s.topRootCause()))
        .put("link", "/api/v1/issues/" + s.issueId());
  }

  static JsonObject detail(IssueDetail d) {
    JsonArray timeline = new JsonArray();
    d.timeline()
        .forEach(
            b ->
                timeline.add(
                    new JsonObject()
                        .put("start", Instant.ofEpochMilli(b.startMillis()).toString())
                        .put("startEpochMillis", b.startMillis())
                        .put("occurrences", b.occurrences())));
    JsonArray examples = new JsonArray();
    d.exampleTraceIds()
        .forEach(id -> examples.add(new JsonObject().put("traceId", id).put("link", "/api/v1/traces/" + id)));
    JsonArray rootCauses = new JsonArray();
    d.rootCauses().forEach(c -> rootCauses.add(rootCause(c)));
    return new JsonObject()
        .put("issue", summary(d.summary()))
        .put("timeline", timeline)
        .put("exampleTraces", examples)
        .put("rootCauses", rootCauses)
        .put("feedback", new JsonArray(d.feedback().stream().map(IssueJson::feedback).toList()));
  }

  static JsonObject feedback(IssueFeedback f) {
    return new JsonObject()
        .put("feedbackId", f.feedbackId())
        .put("kind", FeedbackRequest.kindName(f.kind()))
        .put("level", f.level() == null ? null : f.level().name().toLowerCase(java.util.Locale.ROOT))
        .put("subject", f.subject())
        .put("comment", f.comment())
        .put("by", f.by())
        .put("at", Instant.ofEpochMilli(f.atMillis()).toString())
        .put("atEpochMillis", f.atMillis());
  }

  static JsonObject rootCause(RootCause c) {
    return new JsonObject()
        .put("level", c.level() == null ? null : c.level().name().toLowerCase(java.util.Locale.ROOT))
        .put("subject", c.subject())
        .put("service", c.service())
        .put("host", c.host())
        .put("probability", round(c.probability()))
        .put("evidence", new JsonArray(c.evidence()));
  }

  /** Four decimals: what a person reads, and stable across encodings. */
  private static double round(double value) {
    return Double.isFinite(value) ? Math.round(value * 10_000.0) / 10_000.0 : 0;
  }
}
