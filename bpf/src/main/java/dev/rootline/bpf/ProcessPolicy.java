package dev.rootline.bpf;

/**
 * One process's capture policy in the kernel's {@code process_policy} map: what a service's
 * policy becomes for each of its processes. A process without one follows the session's global
 * settings.
 *
 * @param muted no record at all for this process while set (its server and client sockets alike)
 * @param payloadBytes the payload prefix copied per syscall of this process, 0..{@value
 *     EventDecoder#MAX_PAYLOAD_BYTES}, or {@link #GLOBAL_PAYLOAD} for the session's global value
 */
public record ProcessPolicy(boolean muted, int payloadBytes) {

  /** {@link #payloadBytes} of a process that copies the session's global payload size. */
  public static final int GLOBAL_PAYLOAD = -1;

  /* Bits of struct capture_process_policy.flags (capture_event.h). */
  static final int FLAG_MUTED = 0x1;
  static final int FLAG_PAYLOAD_SET = 0x2;

  public ProcessPolicy {
    if (payloadBytes != GLOBAL_PAYLOAD
        && (payloadBytes < 0 || payloadBytes > EventDecoder.MAX_PAYLOAD_BYTES)) {
      throw new IllegalArgumentException(
          "a process's payload bytes must be within 0.." + EventDecoder.MAX_PAYLOAD_BYTES
              + " (or GLOBAL_PAYLOAD, -1, for the global value), was " + payloadBytes);
    }
  }

  /** Nothing of this process is captured. */
  public static ProcessPolicy mute() {
    return new ProcessPolicy(true, GLOBAL_PAYLOAD);
  }

  /** Captured, with a payload size of its own. */
  public static ProcessPolicy payload(int bytes) {
    return new ProcessPolicy(false, bytes);
  }

  /** True when {@link #payloadBytes} overrides the global value. */
  public boolean hasOwnPayload() {
    return payloadBytes != GLOBAL_PAYLOAD;
  }

  int flags() {
    return (muted ? FLAG_MUTED : 0) | (hasOwnPayload() ? FLAG_PAYLOAD_SET : 0);
  }

  static ProcessPolicy fromKernel(int flags, int payloadBytes) {
    boolean own = (flags & FLAG_PAYLOAD_SET) != 0 || payloadBytes != 0;
    return new ProcessPolicy((flags & FLAG_MUTED) != 0, own ? payloadBytes : GLOBAL_PAYLOAD);
  }
}
