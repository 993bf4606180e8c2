package dev.rootline.actors.capture;

/**
 * One complete HTTP/1.x message as it went over the wire.
 *
 * @param head its head, or null when the capture lost the start line (the message is then only
 *     good for keeping request/response pairing)
 * @param wireBytes bytes on the wire, head and body, including bytes the capture did not copy
 * @param excerpt the first captured bytes of the message (at most {@code excerpt-bytes})
 * @param firstStartNanos entry time of the syscall that moved the first byte
 * @param firstEndNanos exit time of the syscall that moved the first byte
 * @param lastEndNanos exit time of the syscall that moved the last byte
 * @param inferredEnd true when the end was inferred (syscall boundaries, a cut head, a close)
 *     rather than read from Content-Length or chunked framing
 * @param cutShort true when the stream ended before the body its framing announced had moved:
 *     the head is whole, the body only a prefix (see {@link Http1Parser#endOfStream()})
 */
public record HttpMessage(
    HttpHead head,
    long wireBytes,
    byte[] excerpt,
    long firstStartNanos,
    long firstEndNanos,
    long lastEndNanos,
    boolean inferredEnd,
    boolean cutShort) {}
