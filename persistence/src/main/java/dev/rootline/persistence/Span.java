package dev.rootline.persistence;

/**
 * One request seen on the wire: a server span for an inbound request, a client span for an
 * outbound one. Built from eBPF capture; nothing in the observed service cooperates.
 *
 * @param traceId 32 lowercase hex chars (W3C trace id)
 * @param spanId 16 lowercase hex chars
 * @param parentSpanId the parent's span id, or null for a root span
 * @param kind SERVER or CLIENT
 * @param host the host the span was captured on
 * @param service service identity: "process:listening-port" for servers (e.g. "python3:8081"),
 *     "process" for clients
 * @param pid process id that handled the request
 * @param method HTTP method, e.g. "GET"
 * @param path request target as sent, e.g. "/api/cart?id=3"
 * @param status HTTP status code, or 0 when no response was seen
 * @param startEpochNanos first byte of the request (kernel timestamp, wall clock)
 * @param endEpochNanos last byte of the response (kernel timestamp, wall clock)
 * @param requestBytes request size (headers + body) as seen on the wire
 * @param responseBytes response size (headers + body) as seen on the wire
 * @param localAddress "ip:port" of this end of the connection
 * @param peerAddress "ip:port" of the other end of the connection
 * @param requestExcerpt the first bytes of the request, as text (non-printable bytes escaped)
 * @param responseExcerpt the first bytes of the response, as text
 * @param error null, or why the span did not complete normally: "connection reset",
 *     "connection closed before response", "timeout", ...
 */
public record Span(
    String traceId,
    String spanId,
    String parentSpanId,
    Kind kind,
    String host,
    String service,
    int pid,
    String method,
    String path,
    int status,
    long startEpochNanos,
    long endEpochNanos,
    long requestBytes,
    long responseBytes,
    String localAddress,
    String peerAddress,
    String requestExcerpt,
    String responseExcerpt,
    String error)
    implements CborSerializable {

  public enum Kind {
    SERVER,
    CLIENT
  }

  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  /** A server error, a connection error or a timeout: the trace must always be retained. */
  public boolean isFailure() {
    return status >= 500 || error != null;
  }
}
