package dev.rootline.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one API server. The node folds {@link #snapshot()} into its own stats; the API does
 * not add them to {@code /api/v1/stats} itself, which is the node's StatsSource as is.
 */
public final class ApiMetrics {

  final AtomicLong requests = new AtomicLong();
  final AtomicLong badRequests = new AtomicLong();
  final AtomicLong notFound = new AtomicLong();
  final AtomicLong storeFailures = new AtomicLong();
  final AtomicLong internalErrors = new AtomicLong();
  final AtomicLong unauthorized = new AtomicLong();
  final AtomicLong forbidden = new AtomicLong();
  final AtomicLong streamConnections = new AtomicLong();
  final AtomicLong streamRejected = new AtomicLong();
  final AtomicLong streamMessagesSent = new AtomicLong();
  final AtomicLong streamMessagesDropped = new AtomicLong();

  /** Counter name to value; {@code streamConnections} is a gauge (open now), the rest totals. */
  public Map<String, Object> snapshot() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", requests.get());
    m.put("badRequests", badRequests.get());
    m.put("notFound", notFound.get());
    m.put("storeFailures", storeFailures.get());
    m.put("internalErrors", internalErrors.get());
    m.put("unauthorized", unauthorized.get());
    m.put("forbidden", forbidden.get());
    m.put("streamConnections", streamConnections.get());
    m.put("streamRejected", streamRejected.get());
    m.put("streamMessagesSent", streamMessagesSent.get());
    m.put("streamMessagesDropped", streamMessagesDropped.get());
    return m;
  }
}
