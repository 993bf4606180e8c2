package dev.rootline.actors.capture;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The connections tracked now, by (pid, fd), least recently active first. Bounded: adding to a
 * full table evicts the least recently active connection.
 */
final class ConnectionTable {

  private final int maxConnections;
  private final LinkedHashMap<Long, ConnectionStream> byFd = new LinkedHashMap<>(256, 0.75f, true);
  private long nextGeneration = 1;

  ConnectionTable(int maxConnections) {
    this.maxConnections = maxConnections;
  }

  static long fdKey(int pid, int fd) {
    return ((long) pid << 32) | (fd & 0xffffffffL);
  }

  ConnectionStream get(int pid, int fd) {
    return byFd.get(fdKey(pid, fd));
  }

  /** A key for a new connection in the (pid, fd) slot. */
  ConnectionKey newKey(int pid, int fd) {
    return new ConnectionKey(pid, fd, nextGeneration++);
  }

  /** Adds a stream, first evicting the least recently active one if the table is full. */
  void put(ConnectionStream stream, Consumer<ConnectionStream> onEvicted) {
    long k = fdKey(stream.key.pid(), stream.key.fd());
    if (!byFd.containsKey(k) && byFd.size() >= maxConnections) {
      Iterator<Map.Entry<Long, ConnectionStream>> eldest = byFd.entrySet().iterator();
      ConnectionStream victim = eldest.next().getValue();
      eldest.remove();
      onEvicted.accept(victim);
    }
    byFd.put(k, stream);
  }

  /** Removes the stream if it still holds its slot. */
  boolean remove(ConnectionStream stream) {
    return byFd.remove(fdKey(stream.key.pid(), stream.key.fd()), stream);
  }

  int size() {
    return byFd.size();
  }

  /** A copy, so callers may remove while they walk. */
  List<ConnectionStream> snapshot() {
    return new ArrayList<>(byFd.values());
  }
}
