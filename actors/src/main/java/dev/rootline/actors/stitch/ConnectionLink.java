package dev.rootline.actors.stitch;

import dev.rootline.persistence.CborSerializable;

/**
 * One end's account of one HTTP request on one TCP connection, published by the capture of the
 * host it was seen on so the other end's account can find it (cross-host stitching without
 * headers). The connection is named the same way from both ends: client ip:port, server ip:port.
 *
 * @param side which end saw it
 * @param client the client end of the connection, "ip:port" (IPv4-mapped IPv6 written as IPv4)
 * @param server the server end, "ip:port"
 * @param ordinal 1 for the first request this end's capture saw on the connection, 2 for the next
 *     (keep-alive); the two ends agree when both saw the connection from its start
 * @param startEpochNanos span start: the client's request write, the server's first request read
 * @param endEpochNanos span end: the client's last response read, the server's last response write
 * @param method request method
 * @param target request target as captured (may be cut by the payload limit on either end)
 * @param traceId the trace this end's span is in now
 * @param spanId this end's span
 * @param host the capturing host
 */
public record ConnectionLink(
    Side side,
    String client,
    String server,
    int ordinal,
    long startEpochNanos,
    long endEpochNanos,
    String method,
    String target,
    String traceId,
    String spanId,
    String host)
    implements CborSerializable {

  public enum Side {
    CLIENT,
    SERVER
  }

  /** The rendezvous entity's id: the same text from both ends. */
  public String connectionKey() {
    return client + ">" + server;
  }

  /** True when every field matching needs is there (bad input is counted and skipped). */
  public boolean isComplete() {
    return side != null
        && client != null
        && !client.isEmpty()
        && server != null
        && !server.isEmpty()
        && method != null
        && target != null
        && traceId != null
        && spanId != null
        && endEpochNanos >= startEpochNanos;
  }
}
