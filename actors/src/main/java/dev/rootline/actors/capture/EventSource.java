package dev.rootline.actors.capture;

import dev.rootline.bpf.CaptureEvent;
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

  /** Nothing to release by default (a bare method reference to someone else's poll). */
  @Override
  default void close() {}

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
