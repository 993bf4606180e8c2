package dev.rootline.bpf;

/**
 * How many records went where. {@code emitted - decoded - malformed} is what is still in
 * the ring (or in flight) at the time of the snapshot.
 *
 * @param emitted records the kernel program wrote into the ring
 * @param dropped records the kernel program lost because the ring was full
 * @param truncated records whose payload is only a prefix of the bytes moved
 * @param decoded records this session decoded and handed to a sink
 * @param malformed records this session skipped because their layout was not understood
 *     (always 0 unless the kernel object and the decoder disagree on the format)
 * @param refusedByPolicy socket syscalls of muted processes ({@link ProcessPolicy#muted}) the
 *     kernel program did not record; syscalls refused while capture is off are not counted
 */
public record CaptureCounters(
    long emitted, long dropped, long truncated, long decoded, long malformed, long refusedByPolicy) {

  /** Without the policy counter (the shape before capture policies). */
  public CaptureCounters(long emitted, long dropped, long truncated, long decoded, long malformed) {
    this(emitted, dropped, truncated, decoded, malformed, 0);
  }
}
