package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Finding a service's processes from {@code /proc}: on a fixture tree (the kernel's file shapes,
 * processes that vanish, other namespaces, bounds), and on the real {@code /proc} with sockets
 * this JVM listens on.
 */
class ListeningProcessesTest {

  private static final long OWN_NS = 4026531840L;
  private static final long OTHER_NS = 4026532500L;
  private static final int LISTEN = ListeningProcesses.TCP_LISTEN;
  private static final int ESTABLISHED = 0x01;

  private final Path dir = createTempDir();
  private final ProcFixture proc = new ProcFixture(dir, OWN_NS);

  @AfterEach
  void cleanUp() {
    ProcFixture.delete(dir);
  }

  @Test
  void aProcessOfTheServicesNameHoldingItsListeningSocketIsFoundWithEveryPortItListensOn() {
    proc.process(10, "python3", OWN_NS)
        .tcp(10, ProcFixture.ipv4(0, 8083, LISTEN, 5001), ProcFixture.ipv4(1, 8083, ESTABLISHED, 5002))
        .tcp6(10, ProcFixture.ipv6(0, 9000, LISTEN, 5003))
        .fd(10, 0, "/dev/null")
        .fd(10, 1, "pipe:[4711]")
        .socketFd(10, 3, 5001)
        .socketFd(10, 4, 5002)
        .socketFd(10, 5, 5003);
    // same name, holds only an accepted connection: not a listener of the service
    proc.process(11, "python3", OWN_NS).socketFd(11, 3, 5002);
    // holds the listening socket (inherited) under another name: not the service's process
    proc.process(12, "bash", OWN_NS).socketFd(12, 3, 5001);
    // same name, listening on another port only
    proc.process(13, "python3", OWN_NS).socketFd(13, 3, 5003);

    ListeningProcesses scan = new ListeningProcesses(dir, false, 100, 100, 100);
    List<ListeningProcesses.Listener> found = scan.find(List.of("python3:8083"));

    assertThat(found).containsExactly(new ListeningProcesses.Listener(10, OWN_NS, "python3", Set.of(8083, 9000)));
    assertThat(found.get(0).services()).containsExactly("python3:8083", "python3:9000");
    assertThat(scan.find(List.of("python3:9000"))).extracting(ListeningProcesses.Listener::pid).containsExactlyInAnyOrder(10, 13);
    assertThat(scan.find(List.of("bash:8083")))
        .as("a process that holds the socket under that name would be the service's")
        .extracting(ListeningProcesses.Listener::pid)
        .containsExactly(12);
    assertThat(scan.find(List.of("java:8083", "python3:8084", "python3"))).isEmpty();
    ListeningProcesses.Counters counters = scan.counters();
    assertThat(counters.scans()).isEqualTo(4);
    assertThat(counters.processesRead()).isEqualTo(4 * 4);
    assertThat(counters.entriesUnreadable()).isZero();
  }

  @Test
  void otherNetworkNamespacesAreReadThroughTheirOwnProcessesOnlyWhenAllAreThisNodes() {
    proc.process(10, "python3", OWN_NS).tcp(10, ProcFixture.ipv4(0, 8083, LISTEN, 5001)).socketFd(10, 3, 5001);
    // another namespace: its own table (the same port, another socket)
    proc.process(20, "python3", OTHER_NS).tcp(20, ProcFixture.ipv4(0, 8083, LISTEN, 6001)).socketFd(20, 3, 6001);

    assertThat(new ListeningProcesses(dir, false, 100, 100, 100).find(List.of("python3:8083")))
        .extracting(ListeningProcesses.Listener::pid)
        .containsExactly(10);
    assertThat(new ListeningProcesses(dir, true, 100, 100, 100).find(List.of("python3:8083")))
        .extracting(ListeningProcesses.Listener::pid, ListeningProcesses.Listener::netns)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(10, OWN_NS), org.assertj.core.groups.Tuple.tuple(20, OTHER_NS));
  }

  @Test
  void vanishedAndUnreadableEntriesAreCountedAndTheNextProcessOfTheNamespaceIsRead() throws IOException {
    // pid 10 is listed but its tables are gone (it exited mid-scan); pid 11 of the same namespace
    // serves, and the namespace's table is read through it
    proc.process(11, "python3", OWN_NS).tcp(11, ProcFixture.ipv4(0, 8083, LISTEN, 5001)).socketFd(11, 3, 5001);
    proc.process(10, "python3", OWN_NS).withoutTables(10);
    Files.createDirectories(dir.resolve("30")); // no comm: gone
    Files.createDirectories(dir.resolve("net")); // not a process
    proc.process(31, "python3", OWN_NS); // no ns link readable below
    Files.delete(dir.resolve("31/ns/net"));

    ListeningProcesses scan = new ListeningProcesses(dir, false, 100, 100, 100);
    List<ListeningProcesses.Listener> found = scan.find(List.of("python3:8083"));

    assertThat(found).extracting(ListeningProcesses.Listener::pid).containsExactly(11);
    // 30's comm, 31's namespace, and (order-dependent) 10's tcp/tcp6 and fd directory
    assertThat(scan.counters().entriesUnreadable()).isGreaterThanOrEqualTo(3);
    assertThat(scan.counters().processesRead()).isEqualTo(3);
  }

  @Test
  void theBoundsCutTheScanAndWhatTheyLeftOutIsCounted() {
    for (int pid = 100; pid < 110; pid++) {
      proc.process(pid, "idle", OWN_NS);
    }
    proc.process(10, "python3", OWN_NS)
        .tcp(10, ProcFixture.ipv4(0, 7000, LISTEN, 1), ProcFixture.ipv4(1, 7001, LISTEN, 2), ProcFixture.ipv4(2, 8083, LISTEN, 3))
        .socketFd(10, 3, 3);

    ListeningProcesses fewProcesses = new ListeningProcesses(dir, false, 4, 100, 100);
    fewProcesses.find(List.of("python3:8083"));
    assertThat(fewProcesses.counters().processesRead()).isEqualTo(4);
    assertThat(fewProcesses.counters().entriesOverBounds()).isEqualTo(7);

    ListeningProcesses fewLines = new ListeningProcesses(dir, false, 100, 100, 2);
    assertThat(fewLines.find(List.of("python3:8083"))).as("its socket is on the third line").isEmpty();
    assertThat(fewLines.counters().entriesOverBounds()).isEqualTo(1);

    proc.socketFd(10, 0, 1).socketFd(10, 1, 2).fd(10, 2, "/dev/null");
    ListeningProcesses fewFds = new ListeningProcesses(dir, false, 100, 1, 100);
    fewFds.find(List.of("python3:8083"));
    assertThat(fewFds.counters().entriesOverBounds()).isEqualTo(1);
  }

  @Test
  void serviceNamesWithoutAPortAreNotSought() {
    assertThat(ListeningProcesses.resolvable("python3:8083")).isTrue();
    assertThat(ListeningProcesses.resolvable("my:proc:80")).isTrue();
    assertThat(ListeningProcesses.portOf("my:proc:80")).isEqualTo(80);
    assertThat(ListeningProcesses.resolvable("python3")).isFalse();
    assertThat(ListeningProcesses.resolvable("python3:")).isFalse();
    assertThat(ListeningProcesses.resolvable(":80")).isFalse();
    assertThat(ListeningProcesses.resolvable("python3:0")).isFalse();
    assertThat(ListeningProcesses.resolvable("python3:65536")).isFalse();
    assertThat(ListeningProcesses.resolvable("python3:80a")).isFalse();
    ListeningProcesses scan = new ListeningProcesses(dir, false, 100, 100, 100);
    assertThat(scan.find(List.of("python3", "x:y"))).isEmpty();
    assertThat(scan.counters().scans()).as("nothing to look for: no scan").isZero();
    assertThat(ListeningProcesses.socketInode("socket:[123]")).isEqualTo(123);
    assertThat(ListeningProcesses.socketInode("pipe:[123]")).isEqualTo(-1);
    assertThat(ListeningProcesses.socketInode("socket:[]")).isEqualTo(-1);
  }

  @Test
  void thisJvmsListeningSocketsAreFoundInTheRealProcOverIpv4AndIpv6() throws IOException {
    long self = ProcessHandle.current().pid();
    String comm = Files.readString(Path.of("/proc/self/comm")).strip();
    ListeningProcesses scan =
        ListeningProcesses.create(CapturePolicySettings.DEFAULT, false);
    try (ServerSocket v4 = new ServerSocket()) {
      v4.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      List<ListeningProcesses.Listener> found = scan.find(List.of(comm + ":" + v4.getLocalPort()));
      long start = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        scan.find(List.of(comm + ":" + v4.getLocalPort()));
      }
      long micros = (System.nanoTime() - start) / 1000 / 20;
      assertThat(found).singleElement().satisfies(l -> {
        assertThat(l.pid()).isEqualTo(self);
        assertThat(l.comm()).isEqualTo(comm);
        assertThat(l.ports()).contains(v4.getLocalPort());
      });
      System.out.printf("a /proc scan over %d processes took %d µs (mean of 20, warm)%n",
          scan.counters().processesRead() / scan.counters().scans(), micros);
    }
    ServerSocket v6 = new ServerSocket();
    try (v6) {
      try {
        v6.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
      } catch (IOException e) {
        assumeThat(false).as("no IPv6 loopback here: " + e.getMessage()).isTrue();
      }
      assertThat(scan.find(List.of(comm + ":" + v6.getLocalPort())))
          .extracting(ListeningProcesses.Listener::pid)
          .containsExactly((int) self);
    }
    assertThat(scan.find(List.of(comm + ":1"))).as("no socket on port 1").isEmpty();
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("rootline-proc-fixture");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
