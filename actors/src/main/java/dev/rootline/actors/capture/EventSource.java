package dev.rootline.actors.capture;

import dev.rootline.bpf.CaptureEvent;
import java.util.function.Consumer;

/**
 * Where the probe gets its events from. The bpf module's {@code CaptureSession} has exactly this
 * {@code poll} method, so the node adapts it with a method reference; tests script one.
 */
public interface EventSource extends AutoCloseable {

  /**
   * Hands every event available now to {@code sink} without waiting for more.
   *
   * @return how many events were delivered (0 when none were waiting)
   */
  int poll(Consumer<CaptureEvent> sink);
}
