package dev.rootline.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real capture of real processes: a JDK HttpServer in its own JVM, curl and a python client
 * as separate processes, the kernel program attached for real. Needs root (or CAP_BPF +
 * CAP_PERFMON), tracefs and kernel BTF; without them the first open fails with the reason.
 */
class CaptureSessionIT {

  /** Kernel and Java read CLOCK_REALTIME through different calls: allow that much skew. */
  private static final long CLOCK_SLACK_NANOS = 2_000_000;

  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Process server;
  private static int serverPort;
  private static Path tempDir;

  @BeforeAll
  static void startServer() throws Exception {
    tempDir = Files.createTempDirectory("rootline-bpf-it");
    Path classes = location(HttpTestServer.class);
    server =
        new ProcessBuilder(
                javaBinary(), "-Dsun.net.httpserver.nodelay=true", "-cp", classes.toString(),
                HttpTestServer.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("the test server announces its port").startsWith("PORT ");
    serverPort = Integer.parseInt(line.substring(5).trim());
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      stop(server);
    }
    if (tempDir != null) {
      try (var files = Files.walk(tempDir)) {
        for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void capturesTheServerSideOfAnHttpExchangeInPidsMode() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.PIDS))) {
      session.addTargetPid(pid(server));
      long windowStart = nowEpochNanos();
      assertThat(curl("/hello?who=it")).isEqualTo("200");
      List<CaptureEvent> events =
          drainUntil(session, e -> true, all -> hasIngress(all, "GET /hello?who=it") && hasClose(all, fdOfIngress(all, "GET /hello?who=it")));
      long windowEnd = nowEpochNanos();

      assertThat(events).as("PIDS mode records the target only").allSatisfy(e -> assertThat(e.pid()).isEqualTo(pid(server)));
      CaptureEvent request = only(events, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /hello?who=it HTTP/1.1\r\n"));
      int fd = request.fd();
      int clientPort = request.remote().getPort();
      assertThat(request.local()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
      assertThat(request.remote().getAddress().isLoopbackAddress()).isTrue();
      assertThat(clientPort).isPositive().isNotEqualTo(serverPort);
      assertThat(request.bytes()).isEqualTo(request.payload().length).isGreaterThan(20);
      assertThat(request.truncated()).isFalse();
      assertThat(request.comm()).as("the process's name, not the thread's").isEqualTo("java");
      assertThat(request.tid()).isPositive();

      CaptureEvent accept = only(events, e -> e.type() == CaptureEvent.Type.ACCEPT && e.fd() == fd);
      assertThat(accept.bytes()).isEqualTo(fd);
      assertThat(accept.direction()).isEqualTo(CaptureEvent.Direction.NONE);
      assertThat(accept.local().getPort()).isEqualTo(serverPort);
      assertThat(accept.remote().getPort()).isEqualTo(clientPort);

      CaptureEvent response = first(events, e -> isData(e, CaptureEvent.Direction.EGRESS, "HTTP/1.1 200 OK\r\n"));
      assertThat(response.fd()).isEqualTo(fd);
      assertThat(response.local().getPort()).isEqualTo(serverPort);
      assertThat(response.remote().getPort()).isEqualTo(clientPort);
      assertThat(response.startEpochNanos()).isGreaterThanOrEqualTo(request.endEpochNanos());

      CaptureEvent close = only(events, e -> e.type() == CaptureEvent.Type.CLOSE && e.fd() == fd);
      assertThat(close.bytes()).isZero();
      assertThat(close.startEpochNanos()).isGreaterThanOrEqualTo(response.endEpochNanos());

      for (CaptureEvent e : events) {
        assertThat(e.endEpochNanos()).as("end >= start: %s", e).isGreaterThanOrEqualTo(e.startEpochNanos());
        assertThat(e.endEpochNanos()).isBetween(windowStart - CLOCK_SLACK_NANOS, windowEnd + CLOCK_SLACK_NANOS);
        assertThat(e.endEpochNanos() - e.startEpochNanos()).isLessThan(windowEnd - windowStart + CLOCK_SLACK_NANOS);
      }
      CaptureCounters counters = session.counters();
      assertThat(counters.dropped()).isZero();
      assertThat(counters.malformed()).isZero();
      assertThat(counters.decoded()).isEqualTo(events.size());
      assertThat(counters.emitted()).isGreaterThanOrEqualTo(counters.decoded());
    }
  }

  @Test
  void capturesTheClientSideWithConnectInAllButSelfMode() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      long windowStart = nowEpochNanos();
      Process curl = start("curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", url("/from-curl"));
      int curlPid = pid(curl);
      assertThat(finish(curl)).isEqualTo("200");
      long windowEnd = nowEpochNanos();
      List<CaptureEvent> events = drainUntil(session, e -> e.pid() == curlPid, all -> hasIngress(all, "HTTP/1.1 200") && all.stream().anyMatch(e -> e.type() == CaptureEvent.Type.CLOSE));

      CaptureEvent connect = only(events, e -> e.type() == CaptureEvent.Type.CONNECT);
      // curl connects non-blocking: 0 or -EINPROGRESS, the peer known either way
      assertThat(connect.bytes()).isIn(0L, -115L);
      assertThat(connect.remote()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
      assertThat(connect.comm()).isEqualTo("curl");
      assertThat(connect.startEpochNanos()).isBetween(windowStart - CLOCK_SLACK_NANOS, windowEnd + CLOCK_SLACK_NANOS);
      int fd = connect.fd();

      CaptureEvent request = only(events, e -> isData(e, CaptureEvent.Direction.EGRESS, "GET /from-curl HTTP/1.1\r\n"));
      assertThat(request.fd()).isEqualTo(fd);
      assertThat(request.remote().getPort()).isEqualTo(serverPort);
      int clientPort = request.local().getPort();
      assertThat(clientPort).isPositive().isNotEqualTo(serverPort);
      assertThat(connect.local() == null || connect.local().getPort() == clientPort).isTrue();

      CaptureEvent response = first(events, e -> isData(e, CaptureEvent.Direction.INGRESS, "HTTP/1.1 200 OK\r\n"));
      assertThat(response.fd()).isEqualTo(fd);
      assertThat(response.local().getPort()).isEqualTo(clientPort);
      assertThat(events).filteredOn(e -> e.direction() == CaptureEvent.Direction.INGRESS)
          .anyMatch(e -> new String(e.payload(), StandardCharsets.ISO_8859_1).contains("hello /from-curl"));
      assertThat(events).anyMatch(e -> e.type() == CaptureEvent.Type.CLOSE && e.fd() == fd);

      for (CaptureEvent e : events) {
        assertThat(e.endEpochNanos()).isGreaterThanOrEqualTo(e.startEpochNanos());
        assertThat(e.startEpochNanos()).isGreaterThanOrEqualTo(windowStart - CLOCK_SLACK_NANOS);
        assertThat(e.endEpochNanos()).isLessThanOrEqualTo(windowEnd + CLOCK_SLACK_NANOS);
      }
    }
  }

  @Test
  void theCapturingProcessNeverCapturesItselfInAllButSelfMode() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      int self = (int) ProcessHandle.current().pid();
      int port = exchangeFromThisJvm("GET /self HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      List<CaptureEvent> fromServer = drainUntil(session, e -> e.pid() == pid(server) || e.pid() == self, all -> hasIngress(all, "GET /self"));

      assertThat(fromServer).noneMatch(e -> e.pid() == self);
      assertThat(only(fromServer, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /self")).remote().getPort()).isEqualTo(port);
    }
  }

  @Test
  void vectoredSendAndReceiveAreGatheredAcrossIovecs() throws Exception {
    Path client = tempDir.resolve("vectored_client.py");
    Files.writeString(client, VECTORED_CLIENT);
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      Process python = start(python3(), client.toString(), Integer.toString(serverPort));
      int pythonPid = pid(python);
      assertThat(finish(python)).isEqualTo("ok");
      List<CaptureEvent> events = drainUntil(session, e -> e.pid() == pythonPid, all -> all.stream().filter(e -> e.type() == CaptureEvent.Type.CLOSE).count() >= 2);

      // sendmsg with three iovecs and writev with two: each request arrives whole
      CaptureEvent sendmsg = only(events, e -> isData(e, CaptureEvent.Direction.EGRESS, "GET /sendmsg HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
      assertThat(sendmsg.bytes()).isEqualTo(sendmsg.payload().length);
      CaptureEvent writev = only(events, e -> isData(e, CaptureEvent.Direction.EGRESS, "GET /writev HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n"));
      assertThat(writev.bytes()).isEqualTo(writev.payload().length);
      // recvmsg into 7 + 4096 bytes and readv into 7 + 4096: the response reads as one
      assertThat(events).filteredOn(e -> isData(e, CaptureEvent.Direction.INGRESS, "HTTP/1.1 200 OK\r\n")).hasSizeGreaterThanOrEqualTo(2);
      assertThat(events).filteredOn(e -> e.type() == CaptureEvent.Type.CONNECT).hasSize(2).allSatisfy(e -> assertThat(e.bytes()).isZero());
      assertThat(events).filteredOn(e -> e.direction() == CaptureEvent.Direction.INGRESS).extracting(e -> new String(e.payload(), StandardCharsets.ISO_8859_1))
          .anyMatch(s -> s.contains("hello /sendmsg"))
          .anyMatch(s -> s.contains("hello /writev"));
    }
  }

  @Test
  void randomBytesToACapturedPortDoNotBreakTheSession() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.PIDS))) {
      session.addTargetPid(pid(server));
      byte[] junk = new byte[64 * 1024];
      new Random(42).nextBytes(junk);
      junk[0] = 'X'; // never a valid method, whatever the seed
      int junkPort = exchangeFromThisJvm(junk);

      List<CaptureEvent> junkEvents = drainUntil(session, e -> true, all -> all.stream().anyMatch(e -> e.type() == CaptureEvent.Type.CLOSE && e.fd() == fdOfPeer(all, junkPort)));
      CaptureEvent firstRead = first(junkEvents, e -> e.direction() == CaptureEvent.Direction.INGRESS && e.remote().getPort() == junkPort && e.bytes() > 0);
      assertThat(firstRead.payload()).hasSize(256).isEqualTo(Arrays.copyOf(junk, 256));
      assertThat(firstRead.truncated()).isTrue();

      // the session still captures a well-formed exchange afterwards
      assertThat(curl("/after-junk")).isEqualTo("200");
      List<CaptureEvent> after = drainUntil(session, e -> true, all -> hasIngress(all, "GET /after-junk"));
      assertThat(after).anyMatch(e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /after-junk HTTP/1.1"));

      CaptureCounters counters = session.counters();
      assertThat(counters.truncated()).isPositive();
      assertThat(counters.dropped()).isZero();
      assertThat(counters.malformed()).isZero();
      assertThat(counters.decoded()).isEqualTo(junkEvents.size() + after.size());
    }
  }

  @Test
  void payloadSizeAndTargetsChangeLiveWithoutRestart() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.PIDS))) {
      session.addTargetPid(pid(server));
      session.setPayloadBytes(16);
      assertThat(curl("/sixteen")).isEqualTo("200");
      List<CaptureEvent> small = drainUntil(session, e -> true, all -> hasIngress(all, "GET /sixteen"));
      CaptureEvent request = only(small, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /sixteen"));
      assertThat(new String(request.payload(), StandardCharsets.US_ASCII)).isEqualTo("GET /sixteen HTT");
      assertThat(request.truncated()).isTrue();
      assertThat(request.bytes()).isGreaterThan(16);

      session.setPayloadBytes(0);
      assertThat(curl("/nothing")).isEqualTo("200");
      List<CaptureEvent> none = drainUntil(session, e -> true, all -> all.stream().anyMatch(e -> e.direction() == CaptureEvent.Direction.INGRESS && e.bytes() > 0));
      assertThat(none).filteredOn(e -> e.type() == CaptureEvent.Type.DATA && e.bytes() > 0).isNotEmpty().allSatisfy(e -> {
        assertThat(e.payload()).isEmpty();
        assertThat(e.truncated()).isTrue();
      });

      session.removeTargetPid(pid(server));
      drain(session); // anything still in flight from before the removal
      assertThat(curl("/untargeted")).isEqualTo("200");
      Thread.sleep(200);
      assertThat(drain(session)).isEmpty();

      session.setTargetMode(TargetMode.ALL_BUT_SELF);
      session.setPayloadBytes(256);
      assertThat(curl("/everyone")).isEqualTo("200");
      assertThat(drainUntil(session, e -> e.pid() == pid(server), all -> hasIngress(all, "GET /everyone"))).isNotEmpty();
    }
  }

  @Test
  void cgroupsModeCapturesOnlyProcessesInATargetCgroup() throws Exception {
    Path unified = Path.of("/sys/fs/cgroup/unified");
    assumeTrue(Files.exists(unified.resolve("cgroup.procs")), "cgroup v2 is not mounted at " + unified);
    Path cgroup = Files.createDirectory(unified.resolve("rootline-bpf-it-" + ProcessHandle.current().pid()));
    try {
      Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(server.pid()));
      try (CaptureSession session = CaptureSession.open(settings(TargetMode.CGROUPS))) {
        session.addTargetCgroup(CaptureSession.cgroupId(cgroup));
        assertThat(curl("/in-cgroup")).isEqualTo("200");
        List<CaptureEvent> events = drainUntil(session, e -> true, all -> hasIngress(all, "GET /in-cgroup"));

        assertThat(events).as("curl and everything else is outside the cgroup").allSatisfy(e -> assertThat(e.pid()).isEqualTo(pid(server)));
        assertThat(events).anyMatch(e -> isData(e, CaptureEvent.Direction.EGRESS, "HTTP/1.1 200 OK"));
      }
    } finally {
      // back to the root cgroup, then the (now empty) test cgroup can go
      Files.writeString(unified.resolve("cgroup.procs"), Long.toString(server.pid()));
      Files.delete(cgroup);
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailClearly() {
    CaptureSession session = CaptureSession.open(settings(TargetMode.PIDS));
    session.close();
    session.close();

    assertThatThrownBy(() -> session.poll(e -> {})).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> session.addTargetPid(1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(session::counters).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> session.setProcessPolicy(1, ProcessPolicy.mute())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> session.setCaptureEnabled(true)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(session::captureEnabled).isInstanceOf(IllegalStateException.class);
  }

  // ---- capture policies: live switches read back from the kernel, enforced on real traffic ----

  @Test
  void policyValuesReadBackFromTheKernelAfterSetAndClear() {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      assertThat(session.captureEnabled()).as("on by default").isTrue();
      assertThat(session.payloadBytes()).isEqualTo(256);
      session.setPayloadBytes(1000);
      assertThat(session.payloadBytes()).isEqualTo(1000);
      session.setCaptureEnabled(false);
      assertThat(session.captureEnabled()).isFalse();
      session.setCaptureEnabled(true);
      assertThat(session.captureEnabled()).isTrue();

      int pid = pid(server);
      assertThat(session.processPolicy(pid)).isEmpty();
      session.setProcessPolicy(pid, ProcessPolicy.mute());
      assertThat(session.processPolicy(pid)).contains(new ProcessPolicy(true, ProcessPolicy.GLOBAL_PAYLOAD));
      session.setProcessPolicy(pid, ProcessPolicy.payload(64));
      assertThat(session.processPolicy(pid)).as("a set replaces").contains(new ProcessPolicy(false, 64));
      session.setProcessPolicy(pid, ProcessPolicy.payload(0));
      assertThat(session.processPolicy(pid)).as("an explicit 0 is not 'global'").contains(new ProcessPolicy(false, 0));
      session.setProcessPolicy(pid, new ProcessPolicy(true, 4096));
      assertThat(session.processPolicy(pid)).contains(new ProcessPolicy(true, 4096));
      assertThat(session.processPolicy(pid + 1_000_000)).isEmpty();
      session.clearProcessPolicy(pid);
      assertThat(session.processPolicy(pid)).isEmpty();
      session.clearProcessPolicy(pid); // unknown now: not an error

      assertThatThrownBy(() -> session.setProcessPolicy(0, ProcessPolicy.mute()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pid must be positive");
      assertThatThrownBy(() -> session.setProcessPolicy(pid, null))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy is required");
      assertThatThrownBy(() -> ProcessPolicy.payload(4097))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..4096");
      assertThatThrownBy(() -> ProcessPolicy.payload(-2)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> session.clearProcessPolicy(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> session.processPolicy(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aMutedProcessIsNotCapturedUntilItsPolicyIsCleared() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      int serverPid = pid(server);
      session.setProcessPolicy(serverPid, ProcessPolicy.mute());
      drain(session);
      long refusedBefore = session.counters().refusedByPolicy();

      // curl is not muted: its side shows the exchange happened, the server's side must not
      assertThat(curl("/while-muted")).isEqualTo("200");
      List<CaptureEvent> muted = drainUntil(session, e -> true, all -> all.stream().anyMatch(e -> isData(e, CaptureEvent.Direction.EGRESS, "GET /while-muted")));
      Thread.sleep(200);
      muted.addAll(drain(session));
      assertThat(muted).noneMatch(e -> e.pid() == serverPid);
      assertThat(session.counters().refusedByPolicy())
          .as("accept, read, write and close of the server were refused")
          .isGreaterThanOrEqualTo(refusedBefore + 3);

      session.clearProcessPolicy(serverPid);
      assertThat(curl("/after-unmute")).isEqualTo("200");
      List<CaptureEvent> again = drainUntil(session, e -> e.pid() == serverPid, all -> hasIngress(all, "GET /after-unmute"));
      assertThat(again).anyMatch(e -> isData(e, CaptureEvent.Direction.EGRESS, "HTTP/1.1 200 OK"));
    }
  }

  @Test
  void captureEnabledOffStopsEveryRecordAndOnResumes() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      session.setCaptureEnabled(false);
      long offSince = nowEpochNanos();

      assertThat(curl("/while-off")).isEqualTo("200");
      Process python = start(python3(), "-c", EXCHANGE_ON_LOOPBACK, "/while-off-python");
      assertThat(finish(python)).isEqualTo("ok");
      Thread.sleep(200);
      List<CaptureEvent> off = drain(session);
      // only syscalls that had already entered when capture went off may still finish a record
      assertThat(off).allSatisfy(e -> assertThat(e.startEpochNanos()).isLessThan(offSince + CLOCK_SLACK_NANOS));
      assertThat(off).noneMatch(e -> e.type() == CaptureEvent.Type.DATA && new String(e.payload(), StandardCharsets.ISO_8859_1).contains("while-off"));

      session.setCaptureEnabled(true);
      assertThat(curl("/back-on")).isEqualTo("200");
      List<CaptureEvent> on = drainUntil(session, e -> e.pid() == pid(server), all -> hasIngress(all, "GET /back-on"));
      assertThat(on).anyMatch(e -> isData(e, CaptureEvent.Direction.EGRESS, "HTTP/1.1 200 OK"));
    }
  }

  @Test
  void aProcessPayloadSizeCapsThatProcessOnly() throws Exception {
    try (CaptureSession session = CaptureSession.open(settings(TargetMode.ALL_BUT_SELF))) {
      int serverPid = pid(server);
      session.setProcessPolicy(serverPid, ProcessPolicy.payload(16));

      Process curl = start("curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", url("/capped-for-the-server"));
      int curlPid = pid(curl);
      assertThat(finish(curl)).isEqualTo("200");
      List<CaptureEvent> events =
          drainUntil(session, e -> e.pid() == serverPid || e.pid() == curlPid,
              all -> hasIngress(all, "GET /capped-for-") && all.stream().anyMatch(e -> e.pid() == curlPid && isData(e, CaptureEvent.Direction.EGRESS, "GET /capped")));

      CaptureEvent atServer = only(events, e -> e.pid() == serverPid && isData(e, CaptureEvent.Direction.INGRESS, "GET /capped"));
      assertThat(new String(atServer.payload(), StandardCharsets.US_ASCII)).isEqualTo("GET /capped-for-");
      assertThat(atServer.truncated()).isTrue();
      CaptureEvent atCurl = only(events, e -> e.pid() == curlPid && isData(e, CaptureEvent.Direction.EGRESS, "GET /capped"));
      assertThat(atCurl.payload()).as("curl copies the global 256").hasSize((int) atCurl.bytes());
      assertThat(new String(atCurl.payload(), StandardCharsets.US_ASCII)).startsWith("GET /capped-for-the-server HTTP/1.1\r\n");

      // an explicit 0 copies nothing for that process; the global size is untouched
      session.setProcessPolicy(serverPid, ProcessPolicy.payload(0));
      assertThat(curl("/zero-for-the-server")).isEqualTo("200");
      List<CaptureEvent> zero = drainUntil(session, e -> e.pid() == serverPid, all -> all.stream().anyMatch(e -> e.type() == CaptureEvent.Type.DATA && e.direction() == CaptureEvent.Direction.EGRESS && e.bytes() > 0));
      assertThat(zero).filteredOn(e -> e.type() == CaptureEvent.Type.DATA && e.bytes() > 0).isNotEmpty()
          .allSatisfy(e -> assertThat(e.payload()).isEmpty());
      assertThat(session.payloadBytes()).isEqualTo(256);

      session.clearProcessPolicy(serverPid);
      assertThat(curl("/global-again")).isEqualTo("200");
      List<CaptureEvent> global = drainUntil(session, e -> e.pid() == serverPid, all -> hasIngress(all, "GET /global-again"));
      CaptureEvent request = only(global, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /global-again"));
      assertThat(request.payload().length).isEqualTo((int) request.bytes()).isGreaterThan(16);
    }
  }

  @Test
  void netnsModeCapturesOnlyItsNamespacesAndNeverItself() throws Exception {
    String namespace = "rl-bpf-it-" + ProcessHandle.current().pid();
    assertThat(finish(start("ip", "netns", "add", namespace))).isEmpty();
    try {
      assertThat(finish(start("ip", "-n", namespace, "link", "set", "lo", "up"))).isEmpty();

      // a configured namespace: what runs inside it is captured, the host's processes are not
      CaptureSettings inNamespace =
          settings(TargetMode.NETNS).withTargetNetnsPaths(List.of("/run/netns/" + namespace));
      try (CaptureSession session = CaptureSession.open(inNamespace)) {
        Process inside = start("ip", "netns", "exec", namespace, python3(), "-c", EXCHANGE_ON_LOOPBACK, "/in-netns");
        int insidePid = pid(inside);
        assertThat(finish(inside)).isEqualTo("ok");
        assertThat(curl("/host-while-netns")).isEqualTo("200");
        exchangeFromThisJvm("GET /self-netns HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        List<CaptureEvent> events =
            drainUntil(session, e -> true, all -> hasIngress(all, "GET /in-netns") && hasIngress(all, "HTTP/1.0 200"));
        // give the host-side exchanges (run after the namespace's) time to show up if they would
        Thread.sleep(200);
        events.addAll(drain(session));

        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.pid()).isEqualTo(insidePid));
        assertThat(events).noneMatch(e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /host-while-netns"));
      }

      // no namespace configured: the node's own (here the host's), still never the node itself
      try (CaptureSession session = CaptureSession.open(settings(TargetMode.NETNS))) {
        assertThat(session.settings().effectiveTargetNetnsPaths()).containsExactly(CaptureSettings.OWN_NETNS);
        int self = (int) ProcessHandle.current().pid();
        Process inside = start("ip", "netns", "exec", namespace, python3(), "-c", EXCHANGE_ON_LOOPBACK, "/in-netns-2");
        int insidePid = pid(inside);
        assertThat(finish(inside)).isEqualTo("ok");
        exchangeFromThisJvm("GET /self-own HTTP/1.1\r\nHost: it\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(curl("/own-netns")).isEqualTo("200");
        List<CaptureEvent> events =
            drainUntil(session, e -> true, all -> hasIngress(all, "GET /own-netns") && hasIngress(all, "GET /self-own"));

        assertThat(events).filteredOn(e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /own-netns"))
            .allSatisfy(e -> assertThat(e.pid()).isEqualTo(pid(server)));
        assertThat(events).noneMatch(e -> e.pid() == self);
        assertThat(events).noneMatch(e -> e.pid() == insidePid);
      }
    } finally {
      finish(start("ip", "netns", "delete", namespace));
    }
  }

  @Test
  void aPinnedCaptureRecordsWhileNobodyReadsAndTheNextSessionReplaysWhatWasRead() throws Exception {
    HandoverSettings handover = HandoverSettings.OFF.withName("it-" + ProcessHandle.current().pid());
    CaptureSettings pinned = settings(TargetMode.PIDS).withHandover(handover);
    Path pins = handover.pinDir();
    try {
      CaptureSession first = CaptureSession.open(pinned);
      List<CaptureEvent> before;
      try {
        assertThat(first.handover().pinned()).as(first.handover().note()).isTrue();
        assertThat(first.handover().resumed()).isFalse();
        first.addTargetPid(pid(server));
        assertThat(curl("/handover/before")).isEqualTo("200");
        before = drainUntil(first, e -> true, all -> hasIngress(all, "GET /handover/before"));
        first.checkpoint(first.readPosition(), 1_234_567L);
        // read, but its spans never became safe: the next session must get it again, as new
        assertThat(curl("/handover/unconfirmed")).isEqualTo("200");
        drainUntil(first, e -> true, all -> hasIngress(all, "GET /handover/unconfirmed"));
      } finally {
        first.close(); // the pins stay: the program goes on recording
      }
      assertThat(pins).isDirectory();
      assertThat(curl("/handover/between")).as("served while no process reads the ring").isEqualTo("200");

      List<CaptureEvent> replayed = new ArrayList<>();
      List<CaptureEvent> fresh = new ArrayList<>();
      try (CaptureSession second = CaptureSession.open(pinned)) {
        CaptureHandover found = second.handover();
        assertThat(found.resumed()).as("took the pinned capture over: %s", found).isTrue();
        assertThat(found.replayClockNanos()).isEqualTo(1_234_567L);
        assertThat(found.replayBytes()).as("what the first session read is kept for a replay").isPositive();
        assertThat(found.pendingBytes()).isGreaterThan(found.replayBytes());
        assertThat(second.epochOffsetNanos()).isEqualTo(first.epochOffsetNanos());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(hasIngress(fresh, "GET /handover/between") && hasIngress(fresh, "GET /handover/unconfirmed"))
            && System.nanoTime() < deadline) {
          if (second.poll(e -> (second.lastPollReplayed() ? replayed : fresh).add(e)) == 0) {
            Thread.sleep(10);
          }
        }
        assertThat(hasIngress(replayed, "GET /handover/before")).as("replayed: %s", describe(replayed)).isTrue();
        assertThat(hasIngress(replayed, "GET /handover/between")).isFalse();
        assertThat(hasIngress(fresh, "GET /handover/between")).as("new: %s", describe(fresh)).isTrue();
        assertThat(hasIngress(fresh, "GET /handover/before")).isFalse();
        assertThat(hasIngress(fresh, "GET /handover/unconfirmed"))
            .as("read after the checkpoint: sent again")
            .isTrue();
        assertThat(hasIngress(replayed, "GET /handover/unconfirmed")).isFalse();
        CaptureEvent original = first(before, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /handover/before"));
        CaptureEvent again = first(replayed, e -> isData(e, CaptureEvent.Direction.INGRESS, "GET /handover/before"));
        assertThat(again.startEpochNanos()).as("the same clock offset").isEqualTo(original.startEpochNanos());
        assertThat(second.counters().dropped()).isZero();
        second.release();
      }
      assertThat(pins).as("released: the pins are gone").doesNotExist();
      try (CaptureSession third = CaptureSession.open(pinned)) {
        assertThat(third.handover().resumed()).as("after a release the next session starts fresh").isFalse();
        third.release();
      }
    } finally {
      removePins(pins);
    }
  }

  @Test
  void aPinnedCaptureIsTakenByOneSessionAtATimeAndStopsRecordingWhenOrphaned() throws Exception {
    HandoverSettings handover =
        new HandoverSettings(
            "it-orphan-" + ProcessHandle.current().pid(),
            HandoverSettings.OFF.dir(),
            Duration.ofSeconds(30),
            Duration.ofSeconds(1));
    CaptureSettings pinned = settings(TargetMode.PIDS).withHandover(handover);
    try {
      try (CaptureSession first = CaptureSession.open(pinned)) {
        first.addTargetPid(pid(server));
        assertThatThrownBy(() -> CaptureSession.open(pinned).release())
            .isInstanceOf(CaptureUnavailableException.class)
            .hasMessageContaining("held by another capturing process");
      }
      Thread.sleep(1_500); // longer than orphan-after without a reader
      assertThat(curl("/handover/orphaned")).isEqualTo("200");
      try (CaptureSession second = CaptureSession.open(pinned)) {
        assertThat(second.handover().resumed()).isTrue();
        List<CaptureEvent> events = drain(second);
        assertThat(hasIngress(events, "GET /handover/orphaned"))
            .as("an orphaned capture records nothing: %s", describe(events))
            .isFalse();
        assertThat(curl("/handover/adopted")).isEqualTo("200");
        drainUntil(second, e -> true, all -> hasIngress(all, "GET /handover/adopted"));
        second.release();
      }
    } finally {
      removePins(handover.pinDir());
    }
  }

  /** A failed test must not leave a program attached: unpinning the last reference detaches it. */
  private static void removePins(Path pins) throws IOException {
    if (Files.exists(pins)) {
      deleteTree(pins);
    }
  }

  @Test
  void anUnprivilegedProcessGetsAReadableReason() throws Exception {
    // only our own classes, copied where nobody can read them: the checkout may sit in a 0700
    // directory, and nobody cannot read the Maven repository under /root either
    Path readable = Files.createTempDirectory("rootline-unprivileged");
    String reported;
    try {
      Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rwxr-xr-x"));
      copyTree(location(CaptureSession.class), readable.resolve("classes"));
      copyTree(location(OpenAndReport.class), readable.resolve("test-classes"));
      String classpath = readable.resolve("classes") + ":" + readable.resolve("test-classes");
      Process probe = start("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
          javaBinary(), "-Djava.io.tmpdir=/tmp", "-cp", classpath, OpenAndReport.class.getName());
      reported = finish(probe);
    } finally {
      deleteTree(readable);
    }

    assertThat(reported).startsWith("CaptureUnavailableException: ").contains("not running as root");
  }

  /** Run as nobody by {@link #anUnprivilegedProcessGetsAReadableReason}: prints what open threw. */
  public static final class OpenAndReport {
    public static void main(String[] args) {
      try {
        NativeCapture.load();
        NativeCapture.close(
            NativeCapture.open(1 << 20, 256, TargetMode.ALL_BUT_SELF.code(), 0, null, 0, 0, 0), false);
        System.out.println("opened");
      } catch (CaptureUnavailableException e) {
        System.out.println("CaptureUnavailableException: " + e.getMessage());
      }
    }
  }

  // ---- helpers ----

  private static final String VECTORED_CLIENT =
      """
      import os, signal, socket, sys
      signal.alarm(10)  # blocking sockets (readv needs one): never hang the test
      port = int(sys.argv[1])

      def request(path):
          return b"GET " + path + b" HTTP/1.1\\r\\nHost: it\\r\\nConnection: close\\r\\n\\r\\n"

      s = socket.create_connection(("127.0.0.1", port))
      r = request(b"/sendmsg")
      s.sendmsg([r[:7], r[7:20], r[20:]])
      head, rest = bytearray(7), bytearray(4096)
      n = s.recvmsg_into([head, rest])[0]
      while s.recv(4096):
          pass
      s.close()
      assert bytes(head) == b"HTTP/1.", head

      s = socket.create_connection(("127.0.0.1", port))
      r = request(b"/writev")
      os.writev(s.fileno(), [r[:9], r[9:]])
      head, rest = bytearray(7), bytearray(4096)
      n = os.readv(s.fileno(), [head, rest])
      while s.recv(4096):
          pass
      s.close()
      assert bytes(head) == b"HTTP/1.", head
      print("ok")
      """;

  /** A one-shot HTTP/1.0 server and its client in one python process, on 127.0.0.1. */
  private static final String EXCHANGE_ON_LOOPBACK =
      """
      import http.server, signal, sys, threading, urllib.request
      signal.alarm(10)
      class Handler(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              self.send_response(200)
              self.end_headers()
              self.wfile.write(b"hi")
          def log_message(self, *args):
              pass
      server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
      threading.Thread(target=server.handle_request, daemon=True).start()
      with urllib.request.urlopen("http://127.0.0.1:%d%s" % (server.server_port, sys.argv[1]), timeout=5) as r:
          assert r.read() == b"hi"
      print("ok")
      """;

  private static CaptureSettings settings(TargetMode mode) {
    return CaptureSettings.create(ConfigFactory.load()).withTargetMode(mode).withPayloadBytes(256);
  }

  /** Polls every 10 ms, keeping events that pass {@code keep}, until {@code done} holds. */
  private static List<CaptureEvent> drainUntil(CaptureSession session, Predicate<CaptureEvent> keep, Predicate<List<CaptureEvent>> done) throws InterruptedException {
    List<CaptureEvent> kept = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.test(kept)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected events did not arrive within " + WAIT + "; got " + describe(kept));
      }
      if (session.poll(e -> { if (keep.test(e)) kept.add(e); }) == 0) {
        Thread.sleep(10);
      }
    }
    // one more drain: what the same syscalls produced right after
    Thread.sleep(50);
    while (session.poll(e -> { if (keep.test(e)) kept.add(e); }) > 0) {
      // keep draining
    }
    return kept;
  }

  private static List<CaptureEvent> drain(CaptureSession session) {
    List<CaptureEvent> events = new ArrayList<>();
    while (session.poll(events::add) > 0) {
      // until empty
    }
    return events;
  }

  private static boolean isData(CaptureEvent e, CaptureEvent.Direction direction, String prefix) {
    return e.type() == CaptureEvent.Type.DATA
        && e.direction() == direction
        && new String(e.payload(), StandardCharsets.ISO_8859_1).startsWith(prefix);
  }

  private static boolean hasIngress(List<CaptureEvent> events, String prefix) {
    return events.stream().anyMatch(e -> isData(e, CaptureEvent.Direction.INGRESS, prefix));
  }

  private static boolean hasClose(List<CaptureEvent> events, int fd) {
    return events.stream().anyMatch(e -> e.type() == CaptureEvent.Type.CLOSE && e.fd() == fd);
  }

  private static int fdOfIngress(List<CaptureEvent> events, String prefix) {
    return events.stream().filter(e -> isData(e, CaptureEvent.Direction.INGRESS, prefix)).mapToInt(CaptureEvent::fd).findFirst().orElse(-1);
  }

  private static int fdOfPeer(List<CaptureEvent> events, int remotePort) {
    return events.stream().filter(e -> e.type() == CaptureEvent.Type.DATA && e.remote() != null && e.remote().getPort() == remotePort).mapToInt(CaptureEvent::fd).findFirst().orElse(-1);
  }

  private static CaptureEvent only(List<CaptureEvent> events, Predicate<CaptureEvent> which) {
    List<CaptureEvent> matching = events.stream().filter(which).toList();
    assertThat(matching).as("exactly one matching event among %s", describe(events)).hasSize(1);
    return matching.get(0);
  }

  private static CaptureEvent first(List<CaptureEvent> events, Predicate<CaptureEvent> which) {
    return events.stream().filter(which).findFirst().orElseThrow(() -> new AssertionError("no matching event among " + describe(events)));
  }

  private static String describe(List<CaptureEvent> events) {
    StringBuilder sb = new StringBuilder();
    for (CaptureEvent e : events) {
      String payload = new String(e.payload(), 0, Math.min(24, e.payload().length), StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n");
      sb.append(String.format("%n  %s %s pid=%d fd=%d bytes=%d %s->%s '%s'", e.type(), e.direction(), e.pid(), e.fd(), e.bytes(), e.local(), e.remote(), payload));
    }
    return sb.toString();
  }

  /** Sends {@code bytes} to the test server from this JVM, reads until the server closes. */
  private static int exchangeFromThisJvm(byte[] bytes) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), serverPort)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
        socket.shutdownOutput();
        socket.getInputStream().readAllBytes();
      } catch (IOException resetByServer) {
        // the server may reset a connection that sent garbage: that is its right
      }
      return socket.getLocalPort();
    }
  }

  private static String curl(String path) throws Exception {
    return finish(start("curl", "-s", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", url(path)));
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + serverPort + path;
  }

  private static Process start(String... command) throws IOException {
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Waits for a child, returns its trimmed output; kills it by pid if it overstays. */
  private static String finish(Process process) throws Exception {
    try {
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("process " + process.pid() + " did not finish: " + process.info());
      }
      return out;
    } finally {
      stop(process);
    }
  }

  private static void stop(Process process) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static int pid(Process process) {
    return (int) process.pid();
  }

  private static long nowEpochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String python3() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** Copies a directory tree, world-readable. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(p, target);
          Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
