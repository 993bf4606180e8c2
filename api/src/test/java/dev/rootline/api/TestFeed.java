package dev.rootline.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A feed as the node's pub-sub adapter would be: listeners called on the publisher's thread. */
class TestFeed<T> {
  final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();

  public AutoCloseable subscribe(Consumer<T> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  void publish(T message) {
    listeners.forEach(l -> l.accept(message));
  }
}
