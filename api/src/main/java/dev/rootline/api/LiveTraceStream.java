package dev.rootline.api;

import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.TraceSummary;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/stream}: one subscription to the retained-trace feed and one to the issue feed
 * per server, fanned out to every open WebSocket. Each message is encoded once and queued per connection ({@link
 * StreamConnection}); at most {@code stream.max-connections} sockets are open, further upgrade
 * requests get HTTP 503 with a JSON body before any handshake.
 */
final class LiveTraceStream {

  private static final Logger log = LoggerFactory.getLogger(LiveTraceStream.class);
  static final short GOING_AWAY = 1001;

  private final Vertx vertx;
  private final ApiSettings settings;
  private final ApiMetrics metrics;
  private final Set<StreamConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger slotsTaken = new AtomicInteger();
  private volatile boolean closed;

  LiveTraceStream(Vertx vertx, ApiSettings settings, ApiMetrics metrics) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** The feed's listener: any thread, never blocks. */
  void publish(TraceSummary summary) {
    fanOut(
        "retained trace",
        summary,
        () -> new JsonObject().put("type", "trace-retained").put("trace", TraceJson.summary(summary)));
  }

  /** The issue feed's listener: any thread, never blocks. A first occurrence is a new issue. */
  void publishIssue(IssueSummary issue) {
    fanOut(
        "issue update",
        issue,
        () ->
            new JsonObject()
                .put("type", issue.occurrences() <= 1 ? "issue-opened" : "issue-updated")
                .put("issue", IssueJson.summary(issue)));
  }

  /** Encodes the message once and queues it on every connection. */
  private void fanOut(String what, Object item, Supplier<JsonObject> message) {
    if (closed || connections.isEmpty()) {
      return;
    }
    String text;
    try {
      text = message.get().encode();
    } catch (RuntimeException unencodable) {
      log.warn("dropped a {} the stream could not encode: {}", what, item, unencodable);
      return;
    }
    for (StreamConnection connection : connections) {
      connection.offer(text);
    }
  }

  /** Route handler of {@code GET /api/v1/stream}. */
  void open(RoutingContext ctx) {
    // access_token: browsers cannot set headers on a WebSocket (read by ApiAuthHandler)
    QueryParameters.requireOnly(QueryParameters.of(ctx), List.of(ApiAuthHandler.ACCESS_TOKEN_PARAMETER));
    if (!ctx.request().canUpgradeToWebSocket()) {
      throw new ApiProblem(
          426,
          "upgrade required",
          "/api/v1/stream is a WebSocket: connect with a WebSocket client",
          null);
    }
    if (closed || !takeSlot()) {
      metrics.streamRejected.incrementAndGet();
      JsonResponse.send(
          ctx,
          503,
          new JsonObject()
              .put("error", "too many stream connections")
              .put(
                  "detail",
                  closed
                      ? "the server is shutting down"
                      : "at most " + settings.streamMaxConnections() + " WebSockets may be open"));
      return;
    }
    Context context = vertx.getOrCreateContext();
    ctx.request()
        .toWebSocket()
        .onComplete(
            upgraded -> {
              if (upgraded.failed()) {
                releaseSlot();
                log.debug("stream handshake failed", upgraded.cause());
                return;
              }
              attach(upgraded.result(), context);
            });
  }

  private void attach(ServerWebSocket socket, Context context) {
    StreamConnection connection =
        new StreamConnection(socket, context, settings.streamMaxQueuedMessages(), metrics);
    socket.handler(ignored -> {}); // clients have nothing to say; frames are size-capped
    socket.exceptionHandler(e -> log.debug("stream socket error", e));
    socket.closeHandler(
        v -> {
          connection.closed();
          if (connections.remove(connection)) {
            releaseSlot();
          }
        });
    connection.greet(
        new JsonObject()
            .put("type", "subscribed")
            .put("maxQueuedMessages", settings.streamMaxQueuedMessages()));
    connections.add(connection);
    if (closed && connections.remove(connection)) {
      releaseSlot();
      connection.close(GOING_AWAY, "server shutting down");
    }
  }

  /**
   * Stops accepting and closes every open socket with 1001 (going away); completes when all
   * closing handshakes are done. Closing them before the HTTP server avoids a second close frame
   * from the server's own shutdown, which left it waiting for an answer that never came.
   */
  Future<Void> close() {
    closed = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (StreamConnection connection : connections) {
      if (connections.remove(connection)) {
        releaseSlot();
        closing.add(connection.close(GOING_AWAY, "server shutting down"));
      }
    }
    return Future.join(closing).<Void>mapEmpty().otherwiseEmpty();
  }

  private boolean takeSlot() {
    while (true) {
      int taken = slotsTaken.get();
      if (taken >= settings.streamMaxConnections()) {
        return false;
      }
      if (slotsTaken.compareAndSet(taken, taken + 1)) {
        metrics.streamConnections.set(taken + 1);
        return true;
      }
    }
  }

  private void releaseSlot() {
    metrics.streamConnections.set(slotsTaken.decrementAndGet());
  }
}
