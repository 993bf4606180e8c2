package dev.rootline.actors.capture;

/**
 * The parsed start line and the headers Rootline cares about of one HTTP/1.x message.
 *
 * @param method request method, or null for a response
 * @param target request target as sent, or null for a response
 * @param status response status, or 0 for a request
 * @param contentLength Content-Length, or -1 when absent
 * @param chunked Transfer-Encoding ends in chunked
 * @param traceparent the raw W3C traceparent header value, or null
 * @param cut true when the capture's payload limit cut the head: the headers after the cut are
 *     unknown, so an absent header may just not have been seen
 */
public record HttpHead(
    String method,
    String target,
    int status,
    long contentLength,
    boolean chunked,
    String traceparent,
    boolean cut) {

  public boolean isRequest() {
    return method != null;
  }

  /** 1xx other than 101: an interim response; the final one follows on the same exchange. */
  public boolean isInterim() {
    return status >= 100 && status < 200 && status != 101;
  }
}
