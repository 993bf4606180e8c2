package dev.rootline.actors.capture;

import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureSession;
import java.util.function.Consumer;

/**
 * Where the probe gets its events from. The bpf module's {@code CaptureSession} has exactly this
 * {@code poll} method, so the node adapts it with a method reference, and lets the probe close
 * the session when it stops: {@code EventSource.closing(session::poll, session)}. Tests script
 * one.
 */
@FunctionalInterface
public interface EventSource extends AutoCloseable {

  /**
   * Hands every event available now to {@code sink} without waiting for more.
   *
   * @return how many events were delivered (0 when none were waiting)
   */
  int poll(Consumer<CaptureEvent> sink);

  /**
   * True when the events of the last {@link #poll} are a replay after a capture handover: a
   * predecessor read them and sent their spans already. The probe feeds them to its assembler to
   * rebuild the requests still open, and sends nothing they complete. False by default.
   */
  default boolean lastPollReplayed() {
    return false;
  }

  /**
   * After a handover: the predecessor's event clock when it last checkpointed ({@link
   * Long#MIN_VALUE} when there was no predecessor). Time-driven spans (grace ends, timeouts) it
   * sent up to then are not sent again either.
   */
  default long replayClockNanos() {
    return Long.MIN_VALUE;
  }

  /**
   * Where the source is after the last {@link #poll}, for {@link #checkpoint}; negative when it
   * keeps no position (the default).
   */
  default long position() {
    return -1;
  }

  /**
   * The spans of every event before {@code position} (a {@link #position()} value) are safe,
   * the assembler's event clock having been {@code eventClockNanos} then: a successor replays up
   * to here without sending anything twice. Nothing by default.
   */
  default void checkpoint(long position, long eventClockNanos) {}

  /** Nothing to release by default (a bare method reference to someone else's poll). */
  @Override
  default void close() {}

  /**
   * A kernel capture session as a source, handover included (replays, checkpoints); closing the
   * source closes the session (with handover on, its capture stays pinned for the next node).
   */
  static EventSource of(CaptureSession session) {
    long replayClock =
        session.handover().resumed() && session.handover().replayClockNanos() != 0
            ? session.handover().replayClockNanos()
            : Long.MIN_VALUE;
    return new EventSource() {
      @Override
      public int poll(Consumer<CaptureEvent> sink) {
        return session.poll(sink);
      }

      @Override
      public boolean lastPollReplayed() {
        return session.lastPollReplayed();
      }

      @Override
      public long replayClockNanos() {
        return replayClock;
      }

      @Override
      public long position() {
        return session.readPosition();
      }

      @Override
      public void checkpoint(long position, long eventClockNanos) {
        session.checkpoint(position, eventClockNanos);
      }

      @Override
      public void close() {
        session.close();
      }
    };
  }

  /** {@code poller}, whose close also closes {@code resource}. */
  static EventSource closing(EventSource poller, AutoCloseable resource) {
    return new EventSource() {
      @Override
      public int poll(Consumer<CaptureEvent> sink) {
        return poller.poll(sink);
      }

      @Override
      public void close() {
        try {
          resource.close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("closing " + resource + " failed", e);
        }
      }
    };
  }
}
