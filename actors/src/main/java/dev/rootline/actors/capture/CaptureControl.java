package dev.rootline.actors.capture;

import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.ProcessPolicy;
import java.util.Optional;

/**
 * The live switches of a node's kernel capture that capture policies turn: exactly these methods
 * of the bpf module's {@link CaptureSession}, which the node adapts with {@link #of}. Called on the
 * probe's thread only.
 */
public interface CaptureControl {

  /** Off: no record for any process (the kernel's {@code capture_enabled} word). */
  void setCaptureEnabled(boolean enabled);

  /** Read back from the kernel-visible word. */
  boolean captureEnabled();

  /** The payload prefix copied per syscall of processes without a size of their own. */
  void setPayloadBytes(int bytes);

  /** Read back from the kernel-visible word. */
  int payloadBytes();

  /** Process {@code pid}'s own policy (muted, or its own payload size). */
  void setProcessPolicy(int pid, ProcessPolicy policy);

  /** Process {@code pid} follows the global settings again. */
  void clearProcessPolicy(int pid);

  /** Process {@code pid}'s policy as the kernel program sees it. */
  Optional<ProcessPolicy> processPolicy(int pid);

  /** The switches of a real capture session. */
  static CaptureControl of(CaptureSession session) {
    return new CaptureControl() {
      @Override
      public void setCaptureEnabled(boolean enabled) {
        session.setCaptureEnabled(enabled);
      }

      @Override
      public boolean captureEnabled() {
        return session.captureEnabled();
      }

      @Override
      public void setPayloadBytes(int bytes) {
        session.setPayloadBytes(bytes);
      }

      @Override
      public int payloadBytes() {
        return session.payloadBytes();
      }

      @Override
      public void setProcessPolicy(int pid, ProcessPolicy policy) {
        session.setProcessPolicy(pid, policy);
      }

      @Override
      public void clearProcessPolicy(int pid) {
        session.clearProcessPolicy(pid);
      }

      @Override
      public Optional<ProcessPolicy> processPolicy(int pid) {
        return session.processPolicy(pid);
      }
    };
  }
}
