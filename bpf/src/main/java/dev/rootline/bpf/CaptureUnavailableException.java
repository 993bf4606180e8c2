package dev.rootline.bpf;

/**
 * Capture cannot run on this host or process: not root (no CAP_BPF/CAP_PERFMON), tracefs not
 * mounted, no kernel BTF, the program refused by the verifier, or the native library missing.
 * The message says which and what to do about it.
 */
public class CaptureUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CaptureUnavailableException(String message) {
    super(message);
  }

  public CaptureUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
