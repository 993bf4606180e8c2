package dev.rootline.api;

import dev.rootline.persistence.IssueQueries;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.PathTemplate;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceQueries;
import dev.rootline.persistence.TraceSummary;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /issues/:issueId/series}: latency and error rate of the issue's endpoint over time
 * around the issue, for the UI's chart. Read-only and derived: the retained traces of the issue's
 * service in a window around first/last seen, those of the issue's endpoint (root method and path
 * template) put in equal time buckets. Retained traces hold every error, slow or odd request but
 * only a share of normal ones, so the rates describe what was kept, and the answer says so.
 */
final class IssueSeries {

  /** Buckets per window: enough for a readable line, few enough to label. */
  static final int BUCKETS = 30;
  /** Time shown before the first and after the last occurrence, at least: the "before" to compare with. */
  static final long MIN_PADDING_MILLIS = 60_000L;

  private final IssueQueries issues;
  private final TraceQueries traces;
  private final StoreCalls store;

  IssueSeries(IssueQueries issues, TraceQueries traces, StoreCalls store) {
    this.issues = issues;
    this.traces = traces;
    this.store = store;
  }

  void get(RoutingContext ctx) {
    String issueId = RequestValidation.issueId(ctx);
    store
        .call("reading issue " + issueId, () -> issues.get(issueId))
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.failedFuture(ApiProblem.notFound("no issue " + issueId));
              }
              IssueSummary issue = found.get().summary();
              Window window = Window.around(issue, System.currentTimeMillis());
              TraceFilter filter =
                  new TraceFilter(
                      issue.service(),
                      Instant.ofEpochMilli(window.from),
                      Instant.ofEpochMilli(window.to),
                      TraceFilter.MAX_LIMIT);
              return store
                  .call("listing traces of " + issue.service(), () -> traces.list(filter))
                  .map(listed -> render(issue, window, listed));
            })
        .onSuccess(body -> JsonResponse.ok(ctx, body))
        .onFailure(ctx::fail);
  }

  static JsonObject render(IssueSummary issue, Window window, List<TraceSummary> listed) {
    int n = window.buckets();
    List<List<Double>> latencies = new ArrayList<>();
    long[] errors = new long[n];
    for (int i = 0; i < n; i++) {
      latencies.add(new ArrayList<>());
    }
    for (TraceSummary t : listed) {
      long startMillis = Math.floorDiv(t.startEpochNanos(), 1_000_000L);
      if (!ofEndpoint(t, issue) || startMillis < window.from || startMillis >= window.to) {
        continue;
      }
      int b = (int) ((startMillis - window.from) / window.bucketMillis);
      latencies.get(b).add(TraceJson.millis(t.durationNanos()));
      if (t.rootStatus() >= 500) {
        errors[b]++;
      }
    }
    JsonArray buckets = new JsonArray();
    for (int i = 0; i < n; i++) {
      long start = window.from + i * window.bucketMillis;
      double[] sorted = latencies.get(i).stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(sorted);
      int count = sorted.length;
      buckets.add(
          new JsonObject()
              .put("start", Instant.ofEpochMilli(start).toString())
              .put("startEpochMillis", start)
              .put("traces", count)
              .put("errors", errors[i])
              .put("errorRate", count == 0 ? null : Math.round(errors[i] * 10_000.0 / count) / 10_000.0)
              .put("p50Ms", percentile(sorted, 0.50))
              .put("p95Ms", percentile(sorted, 0.95))
              .put("maxMs", count == 0 ? null : sorted[count - 1]));
    }
    return new JsonObject()
        .put("issueId", issue.issueId())
        .put("service", issue.service())
        .put("endpoint", issue.endpoint())
        .put("from", Instant.ofEpochMilli(window.from).toString())
        .put("fromEpochMillis", window.from)
        .put("to", Instant.ofEpochMilli(window.to).toString())
        .put("toEpochMillis", window.to)
        .put("bucketMillis", window.bucketMillis)
        .put("source", "retained traces of the endpoint (every error, slow or odd request; a share of normal ones)")
        // The store answers at most MAX_LIMIT, newest first: older buckets may then be partial.
        .put("truncated", listed.size() >= TraceFilter.MAX_LIMIT)
        .put("buckets", buckets);
  }

  /** The issue's endpoint is "METHOD /path-template" of the opening trace's root span. */
  static boolean ofEndpoint(TraceSummary t, IssueSummary issue) {
    if (issue.endpoint() == null || issue.endpoint().isBlank()) {
      return true;
    }
    String method = t.rootMethod() == null || t.rootMethod().isBlank() ? "?" : t.rootMethod();
    return issue.endpoint().equals(method + " " + PathTemplate.of(t.rootPath()))
        && (issue.service() == null || issue.service().equals(t.rootService()));
  }

  /** Nearest-rank percentile of sorted values; null when there are none. */
  static Double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** [from, to) cut into whole-second buckets, padded around the issue's first and last seen. */
  record Window(long from, long to, long bucketMillis) {
    static Window around(IssueSummary issue, long nowMillis) {
      long first = issue.firstSeenMillis();
      long last = Math.max(first, issue.lastSeenMillis());
      long padding = Math.max(MIN_PADDING_MILLIS, (last - first) / 4);
      long from = first - padding;
      long to = Math.max(Math.min(last + padding, nowMillis + 1000), last + 1000);
      long bucket = Math.max(1000, ceilDiv(to - from, BUCKETS));
      bucket = ceilDiv(bucket, 1000) * 1000;
      return new Window(from, from + bucket * ceilDiv(to - from, bucket), bucket);
    }

    int buckets() {
      return (int) ((to - from) / bucketMillis);
    }

    private static long ceilDiv(long a, long b) {
      return -Math.floorDiv(-a, b);
    }
  }
}
