package dev.rootline.api;

import dev.rootline.persistence.TraceSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The JSON shape of a trace summary, shared by the list, the span tree and the live stream so the
 * UI parses one form. Times are ISO-8601 plus the exact epoch value; durations in ns and ms.
 */
final class TraceJson {

  private TraceJson() {}

  static JsonObject summary(TraceSummary s) {
    return new JsonObject()
        .put("traceId", s.traceId())
        .put("start", isoOfNanos(s.startEpochNanos()))
        .put("startEpochNanos", s.startEpochNanos())
        .put("durationNanos", s.durationNanos())
        .put("durationMs", millis(s.durationNanos()))
        .put("rootService", s.rootService())
        .put("rootMethod", s.rootMethod())
        .put("rootPath", s.rootPath())
        .put("rootStatus", s.rootStatus())
        .put("spanCount", s.spanCount())
        .put("services", new JsonArray(s.services()))
        .put("anomalyScore", s.anomalyScore())
        .put("reasons", new JsonArray(s.reasons()))
        .put("decidedAt", Instant.ofEpochMilli(s.decidedAtEpochMillis()).toString())
        .put("decidedAtEpochMillis", s.decidedAtEpochMillis());
  }

  static String isoOfNanos(long epochNanos) {
    return Instant.ofEpochSecond(
            Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L))
        .toString();
  }

  /** Milliseconds with microsecond resolution: what a human reads next to the exact nanos. */
  static double millis(long nanos) {
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }
}
