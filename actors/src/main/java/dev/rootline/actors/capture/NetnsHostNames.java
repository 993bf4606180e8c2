package dev.rootline.actors.capture;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Names a process's host by its network namespace: pid → inode of {@code /proc/PID/ns/net} → the
 * entry of {@code /run/netns} (what {@code ip netns add} creates) with the same inode. A process
 * in the node's own namespace, or in one with no name there, or gone, is on the fallback host.
 *
 * <p>Both lookups are cached and bounded: a pid's namespace is re-read after {@link #PID_TTL_NANOS}
 * (pids are reused), and the inode → name table is re-read on a miss, at most once per {@link
 * #REFRESH_NANOS} (a namespace created after start is found within that time).
 */
public final class NetnsHostNames implements HostNames {

  static final int MAX_PIDS = 4096;
  static final int MAX_NAMES = 1024;
  static final long PID_TTL_NANOS = 5_000_000_000L;
  static final long REFRESH_NANOS = 1_000_000_000L;
  private static final long UNKNOWN = -1;

  private final Path procDir;
  private final Path netnsDir;
  private final String fallback;
  private final LongSupplier nanoClock;
  private final long ownInode;
  private final Map<Integer, PidEntry> pids =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, PidEntry> eldest) {
          return size() > MAX_PIDS;
        }
      };
  private Map<Long, String> names = Map.of();
  private long lastRefreshNanos;
  private boolean refreshedOnce;
  private long refreshes;

  private record PidEntry(long inode, long readAtNanos) {}

  /** Over the real {@code /proc} and {@code /run/netns}. */
  public static NetnsHostNames create(String fallback) {
    return new NetnsHostNames(Path.of("/proc"), Path.of("/run/netns"), fallback, System::nanoTime);
  }

  NetnsHostNames(Path procDir, Path netnsDir, String fallback, LongSupplier nanoClock) {
    this.procDir = procDir;
    this.netnsDir = netnsDir;
    this.fallback = fallback;
    this.nanoClock = nanoClock;
    this.ownInode = namespaceInode(procDir.resolve("self/ns/net"));
  }

  @Override
  public String hostOf(int pid) {
    long inode = inodeOf(pid);
    if (inode == UNKNOWN || inode == ownInode) {
      return fallback;
    }
    String name = names.get(inode);
    if (name == null && refreshAllowed()) {
      refresh();
      name = names.get(inode);
    }
    return name == null ? fallback : name;
  }

  /** How often the name table was read (for tests and counters). */
  long refreshes() {
    return refreshes;
  }

  private long inodeOf(int pid) {
    long now = nanoClock.getAsLong();
    PidEntry e = pids.get(pid);
    if (e == null || now - e.readAtNanos() > PID_TTL_NANOS) {
      long inode = namespaceInode(procDir.resolve(Integer.toString(pid)).resolve("ns/net"));
      e = new PidEntry(inode, now);
      pids.put(pid, e);
    }
    return e.inode();
  }

  private boolean refreshAllowed() {
    return !refreshedOnce || nanoClock.getAsLong() - lastRefreshNanos >= REFRESH_NANOS;
  }

  private void refresh() {
    refreshedOnce = true;
    lastRefreshNanos = nanoClock.getAsLong();
    refreshes++;
    Map<Long, String> fresh = new HashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(netnsDir)) {
      for (Path p : dir) {
        if (fresh.size() >= MAX_NAMES) {
          break;
        }
        try {
          Object ino = Files.getAttribute(p, "unix:ino");
          if (ino instanceof Long l) {
            fresh.putIfAbsent(l, p.getFileName().toString());
          }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
          // a namespace deleted while listing, or unreadable: not a host we can name
        }
      }
    } catch (IOException | SecurityException e) {
      // no /run/netns (no named namespaces on this machine): every process is on the fallback host
    }
    names = fresh;
  }

  /** The inode in a {@code net:[4026531840]} link, or UNKNOWN. */
  static long namespaceInode(Path link) {
    try {
      String target = Files.readSymbolicLink(link).toString();
      int open = target.indexOf('[');
      int close = target.lastIndexOf(']');
      if (!target.startsWith("net:") || open < 0 || close <= open + 1) {
        return UNKNOWN;
      }
      return Long.parseLong(target.substring(open + 1, close));
    } catch (IOException | UnsupportedOperationException | SecurityException | NumberFormatException e) {
      return UNKNOWN; // the process is gone or not ours to look at
    }
  }
}
