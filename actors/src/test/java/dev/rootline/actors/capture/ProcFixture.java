package dev.rootline.actors.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A {@code /proc} tree in a temp dir, shaped as the kernel shows one: {@code <pid>/comm}, {@code
 * <pid>/ns/net} and {@code <pid>/fd/<n>} as links ({@code net:[inode]}, {@code socket:[inode]}),
 * {@code <pid>/net/tcp} and {@code tcp6} as tables with the kernel's header, {@code self/ns/net}.
 * As in the kernel, the socket tables are per network namespace: every process of a namespace
 * shows the same ones.
 */
final class ProcFixture {

  static final String TCP_HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
  static final String TCP6_HEADER =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

  final Path root;
  private final Map<Integer, Long> netnsOf = new HashMap<>();
  private final Map<Long, List<String>> tcpOf = new HashMap<>();
  private final Map<Long, List<String>> tcp6Of = new HashMap<>();

  ProcFixture(Path root, long ownNetns) {
    this.root = root;
    link(root.resolve("self/ns/net"), "net:[" + ownNetns + "]");
  }

  ProcFixture process(int pid, String comm, long netns) {
    write(dir(pid).resolve("comm"), comm + "\n");
    link(dir(pid).resolve("ns/net"), "net:[" + netns + "]");
    netnsOf.put(pid, netns);
    writeTables(pid);
    return this;
  }

  /** Adds sockets to the tcp table of {@code pid}'s namespace (so of all its processes). */
  ProcFixture tcp(int pid, String... lines) {
    tcpOf.computeIfAbsent(netnsOf.get(pid), n -> new ArrayList<>()).addAll(List.of(lines));
    netnsOf.forEach((p, n) -> writeTables(p));
    return this;
  }

  /** Adds sockets to the tcp6 table of {@code pid}'s namespace. */
  ProcFixture tcp6(int pid, String... lines) {
    tcp6Of.computeIfAbsent(netnsOf.get(pid), n -> new ArrayList<>()).addAll(List.of(lines));
    netnsOf.forEach((p, n) -> writeTables(p));
    return this;
  }

  /** The process's tables vanish (it is exiting), the rest of it stays. */
  ProcFixture withoutTables(int pid) {
    netnsOf.remove(pid);
    delete(dir(pid).resolve("net"));
    return this;
  }

  private void writeTables(int pid) {
    long netns = netnsOf.get(pid);
    if (tcpOf.containsKey(netns)) {
      write(dir(pid).resolve("net/tcp"), table(TCP_HEADER, tcpOf.get(netns)));
    }
    if (tcp6Of.containsKey(netns)) {
      write(dir(pid).resolve("net/tcp6"), table(TCP6_HEADER, tcp6Of.get(netns)));
    }
  }

  private static String table(String header, List<String> lines) {
    return header + "\n" + lines.stream().map(l -> l + "\n").collect(Collectors.joining());
  }

  ProcFixture fd(int pid, int fd, String target) {
    link(dir(pid).resolve("fd").resolve(Integer.toString(fd)), target);
    return this;
  }

  ProcFixture socketFd(int pid, int fd, long inode) {
    return fd(pid, fd, "socket:[" + inode + "]");
  }

  /** The process exits: its whole directory goes. */
  void remove(int pid) {
    netnsOf.remove(pid);
    delete(dir(pid));
  }

  static void delete(Path tree) {
    if (!Files.exists(tree, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(tree)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An IPv4 line as the kernel writes it: 127.0.0.1:port, state st, inode. */
  static String ipv4(int slot, int port, int state, long inode) {
    String remote = state == ListeningProcesses.TCP_LISTEN ? "00000000:0000" : "0100007F:D2F0";
    return String.format(
        Locale.ROOT,
        "%4d: 0100007F:%04X %s %02X 00000000:00000000 00:00000000 00000000     0        0 %d 1 000000005c9962bd 100 0 0 10 0                      ",
        slot, port, remote, state, inode);
  }

  /** An IPv6 line: [::]:port (any address), state st, inode. */
  static String ipv6(int slot, int port, int state, long inode) {
    return String.format(
        Locale.ROOT,
        "%4d: 00000000000000000000000000000000:%04X 00000000000000000000000000000000:0000 %02X 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0000000000000000 100 0 0 10 0",
        slot, port, state, inode);
  }

  private Path dir(int pid) {
    return root.resolve(Integer.toString(pid));
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void link(Path link, String target) {
    try {
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
