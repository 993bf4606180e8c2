package dev.rootline.bpf;

import java.nio.file.Path;

/**
 * What a session found when it opened with handover on (see {@link HandoverSettings}).
 *
 * @param pinned the capture is pinned: it outlives this process for the next one
 * @param resumed this session took over a capture a predecessor left pinned (else it loaded one)
 * @param pinDir where it is pinned (null when not)
 * @param replayBytes ring bytes the predecessor had read and turned into spans already: re-read
 *     to rebuild the requests still open, their spans not sent again
 * @param pendingBytes ring bytes waiting at takeover, the replay included
 * @param replayClockNanos the predecessor's event clock at its last checkpoint (epoch ns; 0 when
 *     none)
 * @param ringBytes the ring's size (a taken-over ring keeps its own)
 * @param note why a pinned capture could not be used, or why handover is off; empty when
 *     nothing needs saying
 */
public record CaptureHandover(
    boolean pinned,
    boolean resumed,
    Path pinDir,
    long replayBytes,
    long pendingBytes,
    long replayClockNanos,
    int ringBytes,
    String note) {

  static CaptureHandover off(String note) {
    return new CaptureHandover(false, false, null, 0, 0, 0, 0, note);
  }
}
