package dev.rootline.actors.capture;

/**
 * One request and its response on one connection, from the first request byte until the final
 * response's last byte, an error, or a timeout. Mutable; owned by its {@link ConnectionStream}
 * and the {@link SpanAssembler}, never shared across threads.
 */
final class HttpExchange {

  /** Entry and exit time of the syscall that moved the request's first byte. */
  final long firstStartNanos;
  final long firstEndNanos;
  final int pid;
  final String comm;

  HttpHead requestHead;
  HttpMessage request;
  HttpHead responseHead;
  HttpMessage response;
  long responseBytes;

  /**
   * 1 for the first request this capture saw on its connection, 2 for the next...: with the
   * connection's addresses, what names this request to the capture at the connection's other end.
   */
  int ordinal;
  /** (pid, tid) of the thread that handled the request head: who serves or who calls. */
  long threadKey;
  TraceLink link;
  String service;
  /** The host of the process that made or served the request (see {@link HostNames}). */
  String host;
  /** Client side: already chosen as the parent of a stitched local server span. */
  boolean parentOfStitchedServer;

  long endNanos;
  String error;
  /**
   * Given up after request-timeout: the span went out, but the exchange stays queued so a late
   * response still pairs with it instead of with the next request.
   */
  boolean timedOut;

  HttpExchange(long firstStartNanos, long firstEndNanos, int pid, String comm) {
    this.firstStartNanos = firstStartNanos;
    this.firstEndNanos = firstEndNanos;
    this.pid = pid;
    this.comm = comm;
  }

  /** Same method and target; a target cut by the payload limit matches on its prefix. */
  boolean sameRequestAs(HttpExchange other) {
    HttpHead a = requestHead;
    HttpHead b = other.requestHead;
    if (a == null || b == null || !a.method().equals(b.method())) {
      return false;
    }
    if (a.target().equals(b.target())) {
      return true;
    }
    if (a.cut() || b.cut()) {
      boolean aShorter = a.target().length() < b.target().length();
      String shorter = aShorter ? a.target() : b.target();
      String longer = aShorter ? b.target() : a.target();
      return !shorter.isEmpty() && longer.startsWith(shorter);
    }
    return false;
  }

  int bufferedBytes() {
    return request == null ? 0 : request.excerpt().length;
  }
}
