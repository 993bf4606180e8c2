package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import dev.rootline.bpf.ProcessPolicy;
import dev.rootline.bpf.TargetMode;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Capture policies reaching a running capture live: a real kernel capture session driven by a
 * {@link ProbeActor}, a real Python HTTP server started (and stopped) by pid, real requests from
 * this JVM. Each policy set is sent as {@code ApplyPolicies}; the kernel's per-process map and
 * switches are read back from the session, and the spans that come out (or do not) are checked.
 * Needs root, kernel BTF, tracefs and python3.
 */
class CapturePolicyIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  /** Longer than stitch-grace and open-message-settle: a span that would come has come. */
  private static final long QUIET_MILLIS = 1500;

  private static final CapturePolicy DEFAULTS =
      new CapturePolicy(true, 1024, 0.05, 0.65, 2000L, List.of(), List.of());

  private static final String SERVER =
      """
      import sys
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              body = b"ok " + self.path.encode()
              self.send_response(200)
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)

          def log_message(self, fmt, *args):
              pass

      srv = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
      print("PORT", srv.server_address[1], flush=True)
      srv.serve_forever()
      """;

  private final BlockingQueue<Span> spans = new LinkedBlockingQueue<>();
  private ActorTestKit testKit;
  private Process server;
  private Path dir;
  private int port;
  private int pid;
  private CaptureSession session;
  private ActorRef<ProbeActor.Command> probe;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("rootline-policy-it");
    Files.writeString(dir.resolve("server.py"), SERVER);
    server =
        new ProcessBuilder("python3", dir.resolve("server.py").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String portLine =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(portLine).as("the server announces its port").startsWith("PORT ");
    port = Integer.parseInt(portLine.substring(5).trim());
    pid = (int) server.pid();

    Config config =
        ConfigFactory.parseString("rootline.actors.capture.host = policy-it")
            .withFallback(ConfigFactory.parseResources("capture.conf"))
            .withFallback(ConfigFactory.load())
            .resolve();
    testKit = ActorTestKit.create("CapturePolicyIT", config);
    // Only the server is a target: this JVM's requests are not captured from its side.
    session = CaptureSession.open(CaptureSettings.create(config).withTargetMode(TargetMode.PIDS));
    session.addTargetPid(pid);
    CaptureSession captured = session;
    probe =
        testKit.spawn(
            ProbeActor.create(
                CaptureAssemblySettings.create(config).withHostFromNetworkNamespace(false),
                CapturePolicySettings.create(config),
                EventSource.closing(captured::poll, captured),
                CaptureControl.of(captured),
                spans::add,
                link -> {}),
            "probe",
            ProbeActor.DISPATCHER);
  }

  @AfterEach
  void stop() throws Exception {
    if (testKit != null) {
      testKit.shutdownTestKit(); // stops the probe, which closes the session
    }
    if (session != null) {
      session.close();
    }
    if (server != null) {
      server.destroy();
      if (!server.waitFor(5, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void aServicePolicyMutesItsProcessInTheKernelAndANewerRevisionLiftsIt() throws Exception {
    String service = learnTheServer();
    PolicyScope scope = PolicyScope.service(service);

    CapturePolicyState muted = apply(PolicySet.of(DEFAULTS).with(scoped(scope, 1, capture(false))));
    assertThat(session.processPolicy(pid)).as("the kernel map, read back").contains(ProcessPolicy.mute());
    assertThat(muted.processes()).containsExactly(new PolicedProcess(pid, "policy-it", List.of(service), true, -1, true));
    long refusedBefore = session.counters().refusedByPolicy();
    for (int i = 0; i < 5; i++) {
      assertThat(get("/muted-" + i)).isEqualTo("ok /muted-" + i);
    }
    assertThat(spansWithin(QUIET_MILLIS, s -> s.path().startsWith("/muted"))).as("no span while muted").isEmpty();
    assertThat(session.counters().refusedByPolicy() - refusedBefore)
        .as("accept, read, write and close of 5 requests refused in the kernel")
        .isGreaterThanOrEqualTo(5 * 4);

    CapturePolicyState lifted = apply(PolicySet.of(DEFAULTS).with(scoped(scope, 2, capture(true))));
    assertThat(session.processPolicy(pid)).as("the entry is cleared").isEmpty();
    assertThat(lifted.processes()).isEmpty();
    assertThat(lifted.revisions()).containsEntry(scope.key(), 2L);
    assertThat(get("/unmuted")).isEqualTo("ok /unmuted");
    Span again = awaitSpan(s -> s.path().equals("/unmuted"));
    assertThat(again.service()).isEqualTo(service);
    assertThat(again.pid()).isEqualTo(pid);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.requestExcerpt()).as("the global 1024 bytes hold the whole head").contains("Accept");

    CapturePolicyState sized = apply(PolicySet.of(DEFAULTS).with(scoped(scope, 3, payload(64))));
    assertThat(session.processPolicy(pid)).contains(ProcessPolicy.payload(64));
    assertThat(session.payloadBytes()).as("the global size is the host's").isEqualTo(1024);
    assertThat(sized.processes()).singleElement().satisfies(p -> {
      assertThat(p.payloadBytes()).isEqualTo(64);
      assertThat(p.muted()).isFalse();
      assertThat(p.inKernel()).isTrue();
    });
    assertThat(get("/sized")).isEqualTo("ok /sized");
    Span small = awaitSpan(s -> s.path().equals("/sized"));
    // the request line, User-Agent and part of Host fit in 64 bytes; Accept and Connection follow
    assertThat(small.requestExcerpt()).startsWith("GET /sized HTTP/1.1").doesNotContain("Accept");
    assertThat(policyState().counters().kernelUpdateFailures()).isZero();
  }

  @Test
  void aServiceMutedBeforeAnySpanOfItIsFoundInProcAndMutedInTheKernel() throws Exception {
    // The name spans give the server: its process name and listening port. No request was made
    // yet, so the probe has seen no span of it: its process can only come from /proc.
    String service = "python3:" + port;
    PolicyScope scope = PolicyScope.service(service);

    CapturePolicyState muted = apply(PolicySet.of(DEFAULTS).with(scoped(scope, 1, capture(false))));
    assertThat(session.processPolicy(pid)).as("the kernel map, read back").contains(ProcessPolicy.mute());
    assertThat(muted.processes()).containsExactly(new PolicedProcess(pid, "policy-it", List.of(service), true, -1, true));
    assertThat(muted.counters().pidsFoundByProcScan()).isEqualTo(1);
    assertThat(muted.counters().pidsLearnt()).as("no span taught it").isZero();
    long refusedBefore = session.counters().refusedByPolicy();
    for (int i = 0; i < 5; i++) {
      assertThat(get("/early-" + i)).isEqualTo("ok /early-" + i);
    }
    assertThat(spansWithin(QUIET_MILLIS, s -> true)).as("no span of a service muted before its first").isEmpty();
    assertThat(session.counters().refusedByPolicy() - refusedBefore).isGreaterThanOrEqualTo(5 * 4);

    apply(PolicySet.of(DEFAULTS).with(scoped(scope, 2, capture(true))));
    assertThat(session.processPolicy(pid)).isEmpty();
    assertThat(get("/lifted")).isEqualTo("ok /lifted");
    Span lifted = awaitSpan(s -> s.path().equals("/lifted"));
    assertThat(lifted.service()).as("/proc named it as the assembler does").isEqualTo(service);
    assertThat(lifted.pid()).isEqualTo(pid);
    assertThat(policyState().counters().kernelUpdateFailures()).isZero();
  }

  @Test
  void aServiceStartedAfterItsPolicyIsMutedAtTheNextProcessCheck() throws Exception {
    int latePort;
    try (ServerSocket probePort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      latePort = probePort.getLocalPort();
    }
    String service = "python3:" + latePort;
    CapturePolicyState before = apply(PolicySet.of(DEFAULTS).with(scoped(PolicyScope.service(service), 1, capture(false))));
    assertThat(before.processes()).as("nothing listens there yet").isEmpty();

    Process late =
        new ProcessBuilder("python3", dir.resolve("server.py").toString(), Integer.toString(latePort))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String portLine =
          new BufferedReader(new InputStreamReader(late.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(portLine).isEqualTo("PORT " + latePort);
      int latePid = (int) late.pid();
      session.addTargetPid(latePid);

      long deadline = System.nanoTime() + WAIT.toNanos();
      while (session.processPolicy(latePid).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(session.processPolicy(latePid))
          .as("muted by the dead-pid check's /proc scan, within its interval")
          .contains(ProcessPolicy.mute());
      for (int i = 0; i < 3; i++) {
        assertThat(get(latePort, "/late-" + i)).isEqualTo("ok /late-" + i);
      }
      assertThat(spansWithin(QUIET_MILLIS, s -> s.path().startsWith("/late"))).isEmpty();
      CapturePolicyState state = policyState();
      assertThat(state.processes()).contains(new PolicedProcess(latePid, "policy-it", List.of(service), true, -1, true));
      assertThat(state.counters().procScans()).isGreaterThanOrEqualTo(2);
    } finally {
      late.destroy();
      if (!late.waitFor(5, TimeUnit.SECONDS)) {
        late.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theHostSwitchStopsAndResumesTheWholeCaptureAndEndpointsAreDroppedInUserSpace() throws Exception {
    String service = learnTheServer();
    PolicySet base = PolicySet.of(DEFAULTS);

    CapturePolicyState off = apply(base.with(scoped(PolicyScope.host("policy-it"), 1, capture(false))));
    assertThat(session.captureEnabled()).isFalse();
    assertThat(off.captureEnabled()).isFalse();
    long emitted = session.counters().emitted();
    assertThat(get("/host-off")).isEqualTo("ok /host-off");
    assertThat(spansWithin(QUIET_MILLIS, s -> s.path().equals("/host-off"))).isEmpty();
    assertThat(session.counters().emitted()).as("nothing reached the ring").isEqualTo(emitted);

    PolicyScope health = PolicyScope.endpoint(service, "GET", "/health");
    CapturePolicyState on =
        apply(base.with(scoped(PolicyScope.host("policy-it"), 2, CapturePolicy.EMPTY)).with(scoped(health, 1, capture(false))));
    assertThat(session.captureEnabled()).isTrue();
    assertThat(on.droppedEndpoints()).containsExactly(health.name());
    assertThat(get("/health?deep=1")).isEqualTo("ok /health?deep=1");
    assertThat(get("/host-on")).isEqualTo("ok /host-on");
    awaitSpan(s -> s.path().equals("/host-on"));
    assertThat(spansWithin(QUIET_MILLIS, s -> s.path().startsWith("/health"))).isEmpty();
    CapturePolicyState state = policyState();
    assertThat(state.counters().spansDroppedByPolicy()).isEqualTo(1);
    assertThat(session.processPolicy(pid)).as("an endpoint never touches the kernel").isEmpty();
  }

  // ---- helpers ----

  /** Requests until the probe has emitted a server span of the server: its service is learnt. */
  private String learnTheServer() throws Exception {
    assertThat(get("/warm-up")).isEqualTo("ok /warm-up");
    Span warm = awaitSpan(s -> s.path().equals("/warm-up"));
    assertThat(warm.kind()).isEqualTo(Span.Kind.SERVER);
    assertThat(warm.pid()).isEqualTo(pid);
    assertThat(warm.service()).endsWith(":" + port);
    return warm.service();
  }

  /** Sends the set and waits until the probe has handled it (its reply comes after). */
  private CapturePolicyState apply(PolicySet policies) {
    probe.tell(new ProbeActor.ApplyPolicies(policies));
    return policyState();
  }

  private CapturePolicyState policyState() {
    TestProbe<CapturePolicyState> replies = testKit.createTestProbe();
    probe.tell(new ProbeActor.GetPolicyState(replies.getRef()));
    return replies.receiveMessage(WAIT);
  }

  private Span awaitSpan(Predicate<Span> which) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<Span> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Span s = spans.poll(100, TimeUnit.MILLISECONDS);
      if (s != null) {
        if (which.test(s)) {
          return s;
        }
        seen.add(s);
      }
    }
    throw new AssertionError("no matching span within " + WAIT + "; saw " + seen);
  }

  private List<Span> spansWithin(long millis, Predicate<Span> which) throws InterruptedException {
    List<Span> matching = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      Span s = spans.poll(50, TimeUnit.MILLISECONDS);
      if (s != null && which.test(s)) {
        matching.add(s);
      }
    }
    return matching;
  }

  private String get(String path) throws IOException {
    return get(port, path);
  }

  private String get(int toPort, String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + toPort + path).toURL().openConnection();
    c.setConnectTimeout((int) WAIT.toMillis());
    c.setReadTimeout((int) WAIT.toMillis());
    try {
      assertThat(c.getResponseCode()).isEqualTo(200);
      return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  private static CapturePolicy capture(boolean on) {
    return new CapturePolicy(on, null, null, null, null, null, null);
  }

  private static CapturePolicy payload(int bytes) {
    return new CapturePolicy(null, bytes, null, null, null, null, null);
  }

  private static ScopedPolicy scoped(PolicyScope scope, long revision, CapturePolicy policy) {
    return new ScopedPolicy(scope, revision, policy, System.currentTimeMillis());
  }
}
