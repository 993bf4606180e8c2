package dev.rootline.actors.capture;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the processes of services named "process:port" from {@code /proc}, without any of their
 * spans: the TCP sockets in LISTEN state on the port ({@code /proc/<pid>/net/tcp} and {@code
 * tcp6}, read once per network namespace through one of its processes), and the processes whose
 * {@code /proc/<pid>/fd/*} link to one of those sockets and whose {@code /proc/<pid>/comm} is the
 * service's process name. That name is compared as it is: it is what the kernel program reports
 * for a span ({@code task->group_leader->comm}, at most 15 bytes, what {@code SpanAssembler} puts
 * before the port), so a service name the capture could never produce finds nothing.
 *
 * <p>Only processes whose name is wanted are looked at further (namespace, sockets, fds), so a
 * scan costs one small read per process plus the few candidates' tables. The work is bounded
 * (processes, fds per process, socket lines per table); what a bound left out and entries that
 * vanished or could not be read are counted, never thrown: a process may exit at any point of a
 * scan. Not thread-safe: the probe's thread only.
 */
public final class ListeningProcesses {

  /** {@code st} of a socket in LISTEN state in {@code /proc/net/tcp}. */
  static final int TCP_LISTEN = 0x0A;

  /** A process holding listening sockets of services sought: its name and every port it listens on. */
  public record Listener(int pid, long netns, String comm, Set<Integer> ports) {

    /** Its services as spans name them: "comm:port" for every port it listens on. */
    public List<String> services() {
      return ports.stream().map(p -> comm + ":" + p).toList();
    }
  }

  /**
   * What scans did (monotonic totals).
   *
   * @param scans {@link #find} calls that had a service to look for
   * @param processesRead processes whose name was read
   * @param entriesUnreadable entries that vanished or could not be read (a name, a namespace, a
   *     socket table, an fd directory or link)
   * @param entriesOverBounds processes, fds and socket lines not looked at because of the bounds
   */
  public record Counters(long scans, long processesRead, long entriesUnreadable, long entriesOverBounds) {}

  private record Candidate(int pid, String comm) {}

  private final Path procDir;
  private final boolean allNamespaces;
  private final int maxProcesses;
  private final int maxFdsPerProcess;
  private final int maxSocketLines;
  private final long ownNamespace;

  private long scans;
  private long processesRead;
  private long entriesUnreadable;
  private long entriesOverBounds;

  /**
   * Over the real {@code /proc}.
   *
   * @param allNamespaces look in every network namespace (a node that names hosts by namespace
   *     captures them all), or only in this process's own (its host's)
   */
  public static ListeningProcesses create(CapturePolicySettings settings, boolean allNamespaces) {
    return new ListeningProcesses(
        Path.of("/proc"),
        allNamespaces,
        settings.procScanMaxProcesses(),
        settings.procScanMaxFdsPerProcess(),
        settings.procScanMaxSocketLines());
  }

  ListeningProcesses(
      Path procDir, boolean allNamespaces, int maxProcesses, int maxFdsPerProcess, int maxSocketLines) {
    if (maxProcesses <= 0 || maxFdsPerProcess <= 0 || maxSocketLines <= 0) {
      throw new IllegalArgumentException("the bounds of a /proc scan must be positive");
    }
    this.procDir = procDir;
    this.allNamespaces = allNamespaces;
    this.maxProcesses = maxProcesses;
    this.maxFdsPerProcess = maxFdsPerProcess;
    this.maxSocketLines = maxSocketLines;
    this.ownNamespace = NetnsHostNames.namespaceInode(procDir.resolve("self/ns/net"));
  }

  /** The port of a service "process:port", or -1 when it names no port (a client-only process). */
  static int portOf(String service) {
    int colon = service == null ? -1 : service.lastIndexOf(':');
    if (colon <= 0 || colon == service.length() - 1) {
      return -1;
    }
    String digits = service.substring(colon + 1);
    if (digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int port = Integer.parseInt(digits);
    return port >= 1 && port <= 65535 ? port : -1;
  }

  /** Whether {@link #find} can look for this service (it names a process and a port). */
  public static boolean resolvable(String service) {
    return portOf(service) > 0;
  }

  /**
   * The processes that listen on the port of one of {@code services} under its process name, each
   * with all its listening ports (so a process that also serves another service is known as
   * such). Services without a port are ignored. Never throws on what {@code /proc} holds.
   */
  public List<Listener> find(Collection<String> services) {
    Map<String, Set<Integer>> portsByComm = new HashMap<>();
    for (String service : services) {
      int port = portOf(service);
      if (port > 0) {
        String comm = service.substring(0, service.lastIndexOf(':'));
        portsByComm.computeIfAbsent(comm, c -> new HashSet<>()).add(port);
      }
    }
    if (portsByComm.isEmpty()) {
      return List.of();
    }
    scans++;
    List<Listener> found = new ArrayList<>();
    for (Map.Entry<Long, List<Candidate>> ns : candidatesByNamespace(portsByComm).entrySet()) {
      Map<Long, Integer> listening = listeningSockets(ns.getValue());
      if (listening.isEmpty()) {
        continue;
      }
      for (Candidate c : ns.getValue()) {
        Set<Integer> ports = listeningPortsHeld(c.pid(), listening);
        if (!ports.isEmpty() && ports.stream().anyMatch(portsByComm.get(c.comm())::contains)) {
          found.add(new Listener(c.pid(), ns.getKey(), c.comm(), ports));
        }
      }
    }
    return found;
  }

  public Counters counters() {
    return new Counters(scans, processesRead, entriesUnreadable, entriesOverBounds);
  }

  /** The processes with a wanted name, grouped by network namespace (namespaces not ours left out). */
  private Map<Long, List<Candidate>> candidatesByNamespace(Map<String, Set<Integer>> portsByComm) {
    Map<Long, List<Candidate>> byNamespace = new LinkedHashMap<>();
    int seen = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(procDir)) {
      for (Path entry : dir) {
        int pid = pidOf(entry.getFileName().toString());
        if (pid <= 0) {
          continue;
        }
        if (seen >= maxProcesses) {
          entriesOverBounds++;
          continue;
        }
        seen++;
        String comm = comm(entry);
        if (comm == null) {
          entriesUnreadable++;
          continue;
        }
        processesRead++;
        if (!portsByComm.containsKey(comm)) {
          continue;
        }
        long ns = NetnsHostNames.namespaceInode(entry.resolve("ns/net"));
        if (ns < 0) {
          entriesUnreadable++;
          continue;
        }
        if (allNamespaces || ns == ownNamespace) {
          byNamespace.computeIfAbsent(ns, n -> new ArrayList<>()).add(new Candidate(pid, comm));
        }
      }
    } catch (IOException | DirectoryIteratorException | SecurityException e) {
      entriesUnreadable++; // /proc itself unreadable, or listing broke off: what was seen stands
    }
    return byNamespace;
  }

  /**
   * Listening socket inode → port of one namespace, read through the first of its candidates
   * whose tables can be read (a process may have exited since it was listed).
   */
  private Map<Long, Integer> listeningSockets(List<Candidate> inNamespace) {
    for (Candidate c : inNamespace) {
      Path net = procDir.resolve(Integer.toString(c.pid())).resolve("net");
      Map<Long, Integer> listening = new HashMap<>();
      boolean read = readListening(net.resolve("tcp"), listening);
      read |= readListening(net.resolve("tcp6"), listening); // absent when IPv6 is off
      if (read) {
        return listening;
      }
      entriesUnreadable++; // neither table: the process is gone
    }
    return Map.of();
  }

  /** Adds the LISTEN sockets of one table; false when it could not be read (not counted). */
  private boolean readListening(Path table, Map<Long, Integer> listening) {
    try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
      in.readLine(); // the header
      int lines = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (++lines > maxSocketLines) {
          entriesOverBounds++;
          break;
        }
        TcpSocket s = TcpSocket.parse(line);
        if (s != null && s.state() == TCP_LISTEN && s.inode() != 0) {
          listening.put(s.inode(), s.localPort());
        }
      }
      return true;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return false;
    }
  }

  /** The ports of {@code listening} whose sockets process {@code pid} holds open. */
  private Set<Integer> listeningPortsHeld(int pid, Map<Long, Integer> listening) {
    Set<Integer> ports = new TreeSet<>();
    int fds = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(procDir.resolve(Integer.toString(pid)).resolve("fd"))) {
      for (Path fd : dir) {
        if (++fds > maxFdsPerProcess) {
          entriesOverBounds++;
          break;
        }
        long inode = socketInode(fd);
        if (inode == -2) {
          entriesUnreadable++; // closed between listing and reading
        } else if (inode > 0) {
          Integer port = listening.get(inode);
          if (port != null) {
            ports.add(port);
          }
        }
      }
    } catch (IOException | DirectoryIteratorException | SecurityException e) {
      entriesUnreadable++; // the process exited, or its fds are not ours to read
    }
    return ports;
  }

  /** The inode of a {@code socket:[12345]} fd link; -1 for another kind of file, -2 unreadable. */
  private static long socketInode(Path fd) {
    String target;
    try {
      target = Files.readSymbolicLink(fd).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return -2;
    }
    return socketInode(target);
  }

  /** The inode in a link target {@code socket:[12345]}, or -1. */
  static long socketInode(String target) {
    if (!target.startsWith("socket:[") || !target.endsWith("]")) {
      return -1;
    }
    try {
      return Long.parseLong(target, 8, target.length() - 1, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The process name in {@code /proc/<pid>/comm} (its trailing newline dropped), or null. */
  private static String comm(Path processDir) {
    try {
      byte[] raw = Files.readAllBytes(processDir.resolve("comm"));
      int len = raw.length;
      if (len > 0 && raw[len - 1] == '\n') {
        len--;
      }
      return new String(raw, 0, len, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  /** A {@code /proc} entry name as a pid, or -1 ("self", "net", "sys", ...). */
  static int pidOf(String name) {
    if (name.isEmpty() || name.length() > 9) {
      return -1;
    }
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
    }
    return Integer.parseInt(name);
  }
}
