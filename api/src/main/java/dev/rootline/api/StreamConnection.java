package dev.rootline.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;

/**
 * One {@code /api/v1/stream} WebSocket with its own bounded queue. {@link #offer} may be called
 * from any thread (the feed's); writing happens on the socket's event loop, only while the socket
 * can take more, so a slow client costs at most {@code maxQueued} messages of memory. When the
 * queue is full the oldest message is dropped and counted, and the client is told how many it
 * missed before the next message it gets.
 */
final class StreamConnection {

  private final ServerWebSocket socket;
  private final Context context;
  private final int maxQueued;
  private final ApiMetrics metrics;

  // Guarded by this: touched by the feed's thread and by the event loop.
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long droppedSinceNotice;
  private boolean drainPending;
  private boolean closed;

  StreamConnection(ServerWebSocket socket, Context context, int maxQueued, ApiMetrics metrics) {
    this.socket = socket;
    this.context = context;
    this.maxQueued = maxQueued;
    this.metrics = metrics;
  }

  /** Queues a message; never blocks, never grows past {@code maxQueued}. */
  void offer(String text) {
    boolean scheduleDrain;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (queue.size() >= maxQueued) {
        queue.pollFirst();
        droppedSinceNotice++;
        metrics.streamMessagesDropped.incrementAndGet();
      }
      queue.addLast(text);
      scheduleDrain = !drainPending;
      drainPending = true;
    }
    if (scheduleDrain) {
      context.runOnContext(v -> drain());
    }
  }

  /** Written directly: called on the event loop right after the handshake, before any offer. */
  void greet(JsonObject hello) {
    socket.writeTextMessage(hello.encode());
  }

  void closed() {
    synchronized (this) {
      closed = true;
      queue.clear();
    }
  }

  /** Completes when the closing handshake is done, or the server's closing timeout passed. */
  Future<Void> close(short code, String reason) {
    closed();
    Promise<Void> closedSocket = Promise.promise();
    context.runOnContext(v -> socket.close(code, reason).onComplete(closedSocket));
    return closedSocket.future();
  }

  // On the event loop. Stops while the socket's write queue is full and resumes from its drain
  // handler, so queued messages wait in our bounded queue rather than in Netty's.
  private void drain() {
    while (true) {
      if (socket.isClosed()) {
        closed();
        return;
      }
      if (socket.writeQueueFull()) {
        socket.drainHandler(v -> drain()); // drainPending stays true: no extra drains meanwhile
        return;
      }
      String next;
      long dropped;
      synchronized (this) {
        next = queue.pollFirst();
        if (next == null) {
          drainPending = false;
          return;
        }
        dropped = droppedSinceNotice;
        droppedSinceNotice = 0;
      }
      if (dropped > 0) {
        socket.writeTextMessage(
            new JsonObject().put("type", "messages-dropped").put("count", dropped).encode());
      }
      socket.writeTextMessage(next);
      metrics.streamMessagesSent.incrementAndGet();
    }
  }
}
