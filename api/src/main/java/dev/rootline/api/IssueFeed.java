package dev.rootline.api;

import dev.rootline.persistence.IssueSummary;
import java.util.function.Consumer;

/**
 * Live notifications of new and updated issues for the WebSocket stream. The node adapts a Pekko
 * pub-sub topic to it; the API subscribes once per server and fans out to its connections.
 */
@FunctionalInterface
public interface IssueFeed {

  /**
   * Starts delivering every new or updated issue summary to {@code listener}, from any thread,
   * until the returned handle is closed. The listener must not block; the API only enqueues.
   */
  AutoCloseable subscribe(Consumer<IssueSummary> listener);
}
