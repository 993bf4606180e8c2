package dev.rootline.bpf;

import java.net.InetSocketAddress;

/**
 * One decoded record from the kernel: a socket syscall seen by the capture program.
 *
 * <p>Timestamps are wall-clock nanoseconds since the epoch, converted from the kernel's
 * monotonic clock by the decoder, so spans built from them line up across processes.
 *
 * @param type what happened on the socket
 * @param direction for {@link Type#DATA}: INGRESS for read/recv*, EGRESS for write/send*;
 *     NONE otherwise
 * @param startEpochNanos syscall entry time
 * @param endEpochNanos syscall exit time
 * @param pid process id (tgid)
 * @param tid thread id
 * @param fd the socket's file descriptor in that process
 * @param comm the process's command name (at most 15 characters)
 * @param local the socket's local address, or null when the kernel did not know it yet
 * @param remote the socket's remote address, or null when unknown
 * @param bytes the syscall's return value: bytes moved for DATA (negative errno on failure,
 *     e.g. -104 for ECONNRESET), the new fd for ACCEPT, 0 or -errno for CONNECT and CLOSE
 * @param payload the first bytes moved (at most the configured payload size); empty if none
 * @param truncated true when {@code bytes} exceeded what was copied into {@code payload}
 */
public record CaptureEvent(
    Type type,
    Direction direction,
    long startEpochNanos,
    long endEpochNanos,
    int pid,
    int tid,
    int fd,
    String comm,
    InetSocketAddress local,
    InetSocketAddress remote,
    long bytes,
    byte[] payload,
    boolean truncated) {

  public enum Type {
    /** A connect() on this fd finished (client side of a connection). */
    CONNECT,
    /** An accept()/accept4() returned this fd (server side of a connection). */
    ACCEPT,
    /** Bytes moved through read, write, send(to|msg), recv(from|msg), readv or writev. */
    DATA,
    /** close() on a socket fd. */
    CLOSE
  }

  public enum Direction {
    INGRESS,
    EGRESS,
    NONE
  }
}
