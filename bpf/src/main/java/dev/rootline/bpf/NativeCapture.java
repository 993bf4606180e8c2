package dev.rootline.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI surface of {@code librootline_capture.so}: one static method per C call of
 * {@code capture.h}, nothing else. Handles are the native context pointer; {@link
 * CaptureSession} owns them and guarantees none is used after {@code close}.
 *
 * <p>The library ships inside the jar under {@value #RESOURCE}; it is copied to a temp file
 * for {@link System#load} and that file is deleted right after loading (the mapping keeps
 * the code alive), so neither a normal exit nor a kill leaves it behind.
 */
final class NativeCapture {

  static final String RESOURCE = "/native/linux-x86_64/librootline_capture.so";

  private static boolean loaded;

  private NativeCapture() {}

  /** Loads the library once per class loader; later calls return at once. */
  static synchronized void load() {
    if (loaded) {
      return;
    }
    String os = System.getProperty("os.name");
    String arch = System.getProperty("os.arch");
    if (!"Linux".equals(os) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
      throw new CaptureUnavailableException(
          "eBPF capture is built for linux-x86_64 only, this JVM runs on " + os + "/" + arch);
    }
    Path copy = null;
    try (InputStream in = NativeCapture.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CaptureUnavailableException(
            "native library " + RESOURCE + " is missing from the classpath; build rootline-bpf"
                + " with `mvn -pl bpf package` on a machine with clang, bpftool and libbpf-dev");
      }
      copy = Files.createTempFile("librootline_capture", ".so");
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      System.load(copy.toAbsolutePath().toString());
      loaded = true;
    } catch (IOException e) {
      throw new CaptureUnavailableException("cannot extract " + RESOURCE + ": " + e.getMessage(), e);
    } catch (UnsatisfiedLinkError e) {
      throw new CaptureUnavailableException(
          "cannot load " + RESOURCE + " (needs libbpf.so.1, libelf.so.1 and libz.so.1: apt-get"
              + " install libbpf1 libelf1 zlib1g): " + e.getMessage(),
          e);
    } finally {
      if (copy != null) {
        try {
          Files.deleteIfExists(copy);
        } catch (IOException ignored) {
          copy.toFile().deleteOnExit();
        }
      }
    }
  }

  /**
   * Loads and attaches the program.
   *
   * @return the native handle, never 0
   * @throws CaptureUnavailableException with the kernel's or libbpf's reason
   */
  static native long open(
      int ringBytes,
      int payloadBytes,
      int targetMode,
      int selfPid,
      String pinDir,
      long replayWindowNanos,
      long orphanAfterNanos,
      long epochOffsetNanos);

  /** True when the records of the last {@link #poll} were read by a predecessor before its last checkpoint. */
  static native boolean lastPollReplayed(long handle);

  /** The ring position after the last record {@link #poll} returned. */
  static native long readPosition(long handle);

  /** The spans of every record before {@code position} are safe; the event clock was {@code clockNanos}. */
  static native void checkpoint(long handle, long position, long clockNanos);

  /**
   * Fills {@code out} with resumed, pinned, replay bytes, pending bytes, replay clock, epoch
   * offset, ring bytes; returns the note (empty when there is nothing to say).
   */
  static native String handover(long handle, long[] out);

  /**
   * Copies whole records into {@code batch} (direct, from position 0, up to its capacity).
   *
   * @return bytes written; records are {@link EventDecoder#RECORD_ALIGN}-aligned
   */
  static native int poll(long handle, ByteBuffer batch);

  static native void setTargetMode(long handle, int mode);

  static native void setPayloadBytes(long handle, int bytes);

  static native void addTargetPid(long handle, int pid);

  static native void removeTargetPid(long handle, int pid);

  static native void addTargetCgroup(long handle, long cgroupId);

  static native void removeTargetCgroup(long handle, long cgroupId);

  static native void addTargetNetns(long handle, int netnsInode);

  static native void removeTargetNetns(long handle, int netnsInode);

  /** 0 stops every record at the next syscall entry (the .data word {@code capture_enabled}). */
  static native void setCaptureEnabled(long handle, boolean enabled);

  /** Reads {@code capture_enabled} back from the kernel-visible .data. */
  static native boolean captureEnabled(long handle);

  /** Reads {@code payload_bytes} back from the kernel-visible .data. */
  static native int payloadBytes(long handle);

  /** Writes {@code process_policy[pid] = {flags, payloadBytes}} (flags: CAPTURE_POLICY_*). */
  static native void setProcessPolicy(long handle, int pid, int flags, int payloadBytes);

  /** Deletes {@code process_policy[pid]}; an unknown pid is not an error. */
  static native void clearProcessPolicy(long handle, int pid);

  /**
   * Reads {@code process_policy[pid]} into {@code out[0]} (flags) and {@code out[1]} (payload
   * bytes).
   *
   * @return false when the pid has no entry
   */
  static native boolean processPolicy(long handle, int pid, int[] out);

  /**
   * Fills {@code out[0..3]} with emitted, dropped, truncated, policy-refused (summed over CPUs).
   */
  static native void counters(long handle, long[] out);

  static native void close(long handle, boolean releasePins);

  /** CLOCK_MONOTONIC in ns: the clock the kernel program stamps records with. */
  static native long monotonicNanos();

  /** CLOCK_REALTIME minus CLOCK_MONOTONIC in ns, from the tightest of several paired reads. */
  static native long realtimeOffsetNanos();
}
