package dev.rootline.bpf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileStore;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * A loaded and attached capture program: the only way the rest of Rootline talks to the
 * kernel.
 *
 * <p>Thread-safety: {@link #poll} is meant for one thread (concurrent calls are serialized);
 * the setters and {@link #counters} may be called from any thread, also while a poll runs;
 * {@link #close} waits for native calls in flight and makes every later call fail with
 * {@link IllegalStateException} (close itself is idempotent).
 */
public final class CaptureSession implements AutoCloseable {

  private final CaptureSettings settings;
  private final EventDecoder decoder;
  private final ByteBuffer batch;
  /* Read side: any native call; write side: close. Keeps a freed handle from being used. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final long handle;
  private final CaptureHandover handover;
  private final int selfPid;
  private boolean closed;
  private volatile long decoded;
  private volatile long selfSkipped;
  private boolean lastPollReplayed;

  private CaptureSession(
      CaptureSettings settings, long handle, long epochOffsetNanos, CaptureHandover handover, int selfPid) {
    this.settings = settings;
    this.handle = handle;
    this.handover = handover;
    this.selfPid = selfPid;
    this.decoder = new EventDecoder(epochOffsetNanos);
    this.batch = ByteBuffer.allocateDirect(settings.pollBatchBytes()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Loads the program, sizes the ring, applies the target mode and the targets of {@code
   * settings}, and attaches every tracepoint.
   *
   * @throws CaptureUnavailableException when this host or process cannot run it (not root,
   *     tracefs not mounted, no BTF, verifier refusal, library missing); the message says why
   */
  public static CaptureSession open(CaptureSettings settings) {
    NativeCapture.load();
    int selfPid = (int) ProcessHandle.current().pid();
    HandoverSettings h = settings.handover();
    String offNote = h.enabled() ? bpfFilesystemProblem(h.dir()) : "";
    String pinDir = h.enabled() && offNote.isEmpty() ? h.pinDir().toString() : null;
    long handle =
        NativeCapture.open(
            settings.ringBufferBytes(),
            settings.payloadBytes(),
            settings.targetMode().code(),
            selfPid,
            pinDir,
            pinDir == null ? 0 : h.replayWindow().toNanos(),
            pinDir == null ? 0 : h.orphanAfter().toNanos(),
            NativeCapture.realtimeOffsetNanos());
    long[] found = new long[7];
    String note = NativeCapture.handover(handle, found);
    CaptureHandover handover =
        pinDir == null
            ? CaptureHandover.off(offNote)
            : new CaptureHandover(
                found[1] != 0, found[0] != 0, Path.of(pinDir), found[2], found[3], found[4],
                (int) found[6], note == null ? "" : note);
    CaptureSession session = new CaptureSession(settings, handle, found[5], handover, selfPid);
    try {
      for (int pid : settings.targetPids()) {
        session.addTargetPid(pid);
      }
      for (String path : settings.targetCgroupPaths()) {
        session.addTargetCgroup(cgroupId(Path.of(path)));
      }
      for (String path : settings.effectiveTargetNetnsPaths()) {
        session.addTargetNetns(netnsId(Path.of(path)));
      }
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
    return session;
  }

  /** Empty when {@code dir} is (or can be made) a directory on a bpf filesystem, else why not. */
  private static String bpfFilesystemProblem(Path dir) {
    try {
      Files.createDirectories(dir);
      FileStore store = Files.getFileStore(dir);
      if (!"bpf".equals(store.type())) {
        return "capture handover off: "
            + dir
            + " is not on a bpf filesystem ("
            + store.type()
            + "); mount one there (mount -t bpf bpf "
            + dir
            + ", as ./rootline setup does) and a restart of this node loses nothing";
      }
      return "";
    } catch (IOException e) {
      return "capture handover off: cannot use " + dir + ": " + e;
    }
  }

  /**
   * The id the kernel reports for a cgroup v2 directory ({@code bpf_get_current_cgroup_id}):
   * its inode number.
   */
  public static long cgroupId(Path cgroupDirectory) {
    try {
      return ((Number) Files.getAttribute(cgroupDirectory, "unix:ino")).longValue();
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "cannot read the cgroup id of " + cgroupDirectory + ": " + e.getMessage(), e);
    }
  }

  /**
   * The id the kernel program compares in mode {@link TargetMode#NETNS} ({@code
   * task->nsproxy->net_ns->ns.inum}): the inode number of a network namespace file such as
   * {@code /proc/<pid>/ns/net} or {@code /run/netns/<name>} (stat follows the link).
   */
  public static long netnsId(Path namespaceFile) {
    try {
      return ((Number) Files.getAttribute(namespaceFile, "unix:ino")).longValue();
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          "cannot read the network namespace id of " + namespaceFile + ": " + e.getMessage(), e);
    }
  }

  public CaptureSettings settings() {
    return settings;
  }

  /** CLOCK_REALTIME - CLOCK_MONOTONIC measured at open; how kernel times became epoch times. */
  public long epochOffsetNanos() {
    return decoder.epochOffsetNanos();
  }

  /**
   * Drains one batch (at most {@code poll-batch-bytes}) from the ring and hands each decoded
   * event to {@code sink}, in ring order, on the calling thread. Returns at once when nothing
   * is pending. The native lock is released before the sink runs, so a sink may call any
   * method of this session, close included.
   *
   * @return how many events reached the sink
   */
  public int poll(Consumer<CaptureEvent> sink) {
    synchronized (batch) {
      int bytes;
      lifecycle.readLock().lock();
      try {
        ensureOpen();
        bytes = NativeCapture.poll(handle, batch);
      } finally {
        lifecycle.readLock().unlock();
      }
      if (bytes == 0) {
        return 0;
      }
      lastPollReplayed = NativeCapture.lastPollReplayed(handle);
      int[] delivered = new int[1];
      long[] self = new long[1];
      decoder.decode(
          batch,
          bytes,
          e -> {
            // A successor's own records from before it took the capture over (its pid was
            // not yet the excluded one); the kernel excludes it from then on.
            if (e.pid() == selfPid) {
              self[0]++;
              return;
            }
            delivered[0]++;
            sink.accept(e);
          });
      decoded += delivered[0]; // single writer: serialized by the batch monitor
      selfSkipped += self[0];
      return delivered[0];
    }
  }

  /**
   * True when the events of the last {@link #poll} are a replay: a predecessor (handover) had read
   * them and sent their spans already; they rebuild the requests still open, nothing more.
   */
  public boolean lastPollReplayed() {
    synchronized (batch) {
      return lastPollReplayed;
    }
  }

  /**
   * The ring position after the last event {@link #poll} returned: what {@link #checkpoint} takes
   * once the spans of everything polled up to then are safe.
   */
  public long readPosition() {
    synchronized (batch) {
      long[] out = new long[1];
      withHandle(() -> out[0] = NativeCapture.readPosition(handle));
      return out[0];
    }
  }

  /**
   * Records that the spans of every event before ring position {@code position} (a {@link
   * #readPosition} value) are safe (delivered, decided, persisted), the consumer's event clock
   * having been {@code eventClockNanos} then. A successor (handover) replays up to here without
   * sending anything twice, and sends again what came after; with handover the ring keeps all
   * that, and {@code replay-window} before it. Cheap (stores into the mapped settings). Never
   * moves back.
   */
  public void checkpoint(long position, long eventClockNanos) {
    withHandle(() -> NativeCapture.checkpoint(handle, position, eventClockNanos));
  }

  /** What handover found when this session opened. */
  public CaptureHandover handover() {
    return handover;
  }

  /** This process's own events skipped (only before a taken-over capture excluded it). */
  public long selfSkipped() {
    return selfSkipped;
  }

  /** Adds a process (tgid) to the targets of mode {@link TargetMode#PIDS}. */
  public void addTargetPid(int pid) {
    requirePositive(pid, "pid");
    withHandle(() -> NativeCapture.addTargetPid(handle, pid));
  }

  /** Removes a process; unknown pids are ignored. */
  public void removeTargetPid(int pid) {
    requirePositive(pid, "pid");
    withHandle(() -> NativeCapture.removeTargetPid(handle, pid));
  }

  /** Adds a cgroup v2 id (see {@link #cgroupId}) to the targets of mode {@link TargetMode#CGROUPS}. */
  public void addTargetCgroup(long cgroupId) {
    requirePositive(cgroupId, "cgroup id");
    withHandle(() -> NativeCapture.addTargetCgroup(handle, cgroupId));
  }

  /** Removes a cgroup id; unknown ids are ignored. */
  public void removeTargetCgroup(long cgroupId) {
    requirePositive(cgroupId, "cgroup id");
    withHandle(() -> NativeCapture.removeTargetCgroup(handle, cgroupId));
  }

  /**
   * Adds a network namespace (see {@link #netnsId}) to the targets of mode {@link
   * TargetMode#NETNS}.
   */
  public void addTargetNetns(long netnsId) {
    requireNamespaceId(netnsId);
    withHandle(() -> NativeCapture.addTargetNetns(handle, (int) netnsId));
  }

  /** Removes a network namespace; unknown ids are ignored. */
  public void removeTargetNetns(long netnsId) {
    requireNamespaceId(netnsId);
    withHandle(() -> NativeCapture.removeTargetNetns(handle, (int) netnsId));
  }

  /** Switches the target mode live; syscalls entered from now on follow the new mode. */
  public void setTargetMode(TargetMode mode) {
    if (mode == null) {
      throw new IllegalArgumentException("target mode is required");
    }
    withHandle(() -> NativeCapture.setTargetMode(handle, mode.code()));
  }

  /**
   * Changes the payload prefix size live, without reloading the program; syscalls that exit
   * from now on copy at most {@code bytes}.
   */
  public void setPayloadBytes(int bytes) {
    if (bytes < 0 || bytes > EventDecoder.MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload bytes must be within 0.." + EventDecoder.MAX_PAYLOAD_BYTES + ", was " + bytes);
    }
    withHandle(() -> NativeCapture.setPayloadBytes(handle, bytes));
  }

  /** The payload prefix size in force, read back from the word the kernel program reads. */
  public int payloadBytes() {
    int[] out = new int[1];
    withHandle(() -> out[0] = NativeCapture.payloadBytes(handle));
    return out[0];
  }

  /**
   * Switches all capture off ({@code false}: no record for any process, from the next syscall
   * entry on; syscalls already in flight still finish their record) or back on. Targets, process
   * policies and the payload size are kept. While off, each hooked syscall of the host costs one
   * load and a compare in the kernel.
   */
  public void setCaptureEnabled(boolean enabled) {
    withHandle(() -> NativeCapture.setCaptureEnabled(handle, enabled));
  }

  /** Whether capture is on, read back from the word the kernel program reads. */
  public boolean captureEnabled() {
    boolean[] out = new boolean[1];
    withHandle(() -> out[0] = NativeCapture.captureEnabled(handle));
    return out[0];
  }

  /**
   * Gives process {@code pid} (a tgid) a policy of its own, live: muted (no record from its
   * syscalls that enter from now on, sockets of either role) or another payload size. Replaces
   * the pid's previous policy. The entry outlives the process: clear it when the process is gone
   * (pids are reused).
   *
   * @throws IllegalArgumentException for a pid below 1 or a null policy
   * @throws IllegalStateException when the 16384-entry policy map is full
   */
  public void setProcessPolicy(int pid, ProcessPolicy policy) {
    requirePositive(pid, "pid");
    if (policy == null) {
      throw new IllegalArgumentException("a process policy is required (clearProcessPolicy removes one)");
    }
    int payload = policy.hasOwnPayload() ? policy.payloadBytes() : 0;
    withHandle(() -> NativeCapture.setProcessPolicy(handle, pid, policy.flags(), payload));
  }

  /** Removes process {@code pid}'s policy: it follows the global settings again. Unknown pids are ignored. */
  public void clearProcessPolicy(int pid) {
    requirePositive(pid, "pid");
    withHandle(() -> NativeCapture.clearProcessPolicy(handle, pid));
  }

  /** Process {@code pid}'s policy as the kernel program sees it (read back from the map). */
  public Optional<ProcessPolicy> processPolicy(int pid) {
    requirePositive(pid, "pid");
    int[] out = new int[2];
    boolean[] found = new boolean[1];
    withHandle(() -> found[0] = NativeCapture.processPolicy(handle, pid, out));
    return found[0] ? Optional.of(ProcessPolicy.fromKernel(out[0], out[1])) : Optional.empty();
  }

  /** A snapshot of the kernel counters (summed over CPUs) and of this session's decoding. */
  public CaptureCounters counters() {
    long[] kernel = new long[4];
    withHandle(() -> NativeCapture.counters(handle, kernel));
    return new CaptureCounters(
        kernel[0], kernel[1], kernel[2], decoded, decoder.malformed(), kernel[3]);
  }

  /**
   * Without handover: detaches every tracepoint and frees the maps and the ring. With handover
   * the capture stays pinned and keeps recording for the next session opened with the same
   * name ({@link #release} ends it). Idempotent.
   */
  @Override
  public void close() {
    close(false);
  }

  /** Closes and, with handover, removes the pins: the capture ends here. Idempotent. */
  public void release() {
    close(true);
  }

  private void close(boolean releasePins) {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        NativeCapture.close(handle, releasePins);
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void withHandle(Runnable nativeCall) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      nativeCall.run();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("capture session is closed");
    }
  }

  /** Namespace inode numbers are 32-bit in the kernel ({@code unsigned int inum}). */
  private static void requireNamespaceId(long id) {
    if (id <= 0 || id > 0xffff_ffffL) {
      throw new IllegalArgumentException("network namespace id must be within 1..2^32-1, was " + id);
    }
  }

  private static void requirePositive(long value, String what) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive, was " + value);
    }
  }
}
