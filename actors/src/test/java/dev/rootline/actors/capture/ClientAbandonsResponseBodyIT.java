package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import dev.rootline.bpf.TargetMode;
import dev.rootline.persistence.Span;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real capture of Python's urllib against a Python ThreadingHTTPServer answering 500 (the demo's
 * loadgen -> frontend): urllib raises HTTPError on the head and closes the connection without
 * reading the body. When the client's recv got only the head, the client span used to end as
 * "connection closed before response" with status 0. The server here sends the body of
 * {@code /late-body} 30 ms after the head so the client always closes first, and answers
 * {@code /one-write} with head and body in one write as the control. Needs root, kernel BTF,
 * tracefs and python3.
 */
class ClientAbandonsResponseBodyIT {

  private static final int REQUESTS_PER_PATH = 20;
  private static final String HEAD_PREFIX = "HTTP/1.1 500 ";
  private static final String BODY = "{\"error\":\"upstream failed\"}";

  private static final String SERVER =
      """
      import sys, time
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

      class Handler(BaseHTTPRequestHandler):
          protocol_version = "HTTP/1.1"

          def do_GET(self):
              body = b'{"error":"upstream failed"}'
              self.send_response(500)
              self.send_header("Content-Type", "application/json")
              self.send_header("Content-Length", str(len(body)))
              if self.path == "/one-write":
                  self._headers_buffer.append(b"\\r\\n" + body)
                  self.flush_headers()
                  return
              self.end_headers()  # the head goes out in a write of its own, as in demo/frontend.py
              time.sleep(0.03)
              self.wfile.write(body)

          def log_message(self, fmt, *args):
              pass

      srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
      print("PORT", srv.server_address[1], flush=True)
      srv.serve_forever()
      """;

  private static final String CLIENT =
      """
      import signal, sys, urllib.error, urllib.request
      signal.alarm(60)
      base, n = sys.argv[1], int(sys.argv[2])
      sys.stdin.readline()
      codes = []
      for path in ["/late-body", "/one-write"] * n:
          try:
              with urllib.request.urlopen(base + path, timeout=10) as resp:
                  resp.read()
                  codes.append(resp.status)
          except urllib.error.HTTPError as err:
              codes.append(err.code)  # the body is never read, as in demo/loadgen.py
      print("CODES", " ".join(map(str, codes)), flush=True)
      """;

  private final List<Process> processes = new ArrayList<>();
  private Path dir;

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
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
  void clientThatClosesWithoutReadingTheBodyOfA500GetsStatus500() throws Exception {
    dir = Files.createTempDirectory("rootline-client-close-it");
    Files.writeString(dir.resolve("server.py"), SERVER);
    Files.writeString(dir.resolve("client.py"), CLIENT);
    Process server = start("python3", dir.resolve("server.py").toString());
    String portLine = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(portLine).as("the server announces its port").startsWith("PORT ");
    Process client =
        start("python3", dir.resolve("client.py").toString(),
            "http://127.0.0.1:" + portLine.substring(5).trim(), String.valueOf(REQUESTS_PER_PATH));

    List<Span> spans = new ArrayList<>();
    SpanAssembler assembler =
        new SpanAssembler(CaptureAssemblySettings.create(ConfigFactory.load()).withHost("it"), spans::add);
    // Client fd -> whether the response body was read on it (null: nothing read yet).
    Map<Integer, Boolean> bodyRead = new HashMap<>();
    int headOnlyReads = 0;
    CaptureSettings captureSettings = CaptureSettings.create(ConfigFactory.load()).withTargetMode(TargetMode.PIDS);
    try (CaptureSession session = CaptureSession.open(captureSettings)) {
      session.addTargetPid((int) server.pid());
      session.addTargetPid((int) client.pid());
      OutputStream go = client.getOutputStream();
      go.write('\n');
      go.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long drainUntil = Long.MAX_VALUE;
      while (System.nanoTime() < drainUntil) {
        assertThat(System.nanoTime()).as("the client finishes within a minute").isLessThan(deadline);
        Thread.sleep(10);
        List<CaptureEvent> batch = new ArrayList<>();
        session.poll(batch::add);
        for (CaptureEvent e : batch) {
          if (e.pid() != client.pid()) {
            continue;
          }
          if (e.type() == CaptureEvent.Type.DATA
              && e.direction() == CaptureEvent.Direction.INGRESS
              && e.bytes() > 0) {
            boolean body = new String(e.payload(), StandardCharsets.ISO_8859_1).contains(BODY);
            bodyRead.merge(e.fd(), body, Boolean::logicalOr);
          } else if (e.type() == CaptureEvent.Type.CLOSE) {
            if (Boolean.FALSE.equals(bodyRead.remove(e.fd()))) {
              headOnlyReads++;
            }
          }
        }
        assembler.acceptBatch(batch);
        if (!client.isAlive() && drainUntil == Long.MAX_VALUE) {
          drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        }
      }
    }
    assembler.tick(System.currentTimeMillis() * 1_000_000L + TimeUnit.MINUTES.toNanos(10));
    String codes = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();

    assertThat(codes).as("urllib saw every 500").isEqualTo("CODES" + " 500".repeat(2 * REQUESTS_PER_PATH));
    assertThat(headOnlyReads)
        .as("the client closed after reading only the head at least for /late-body")
        .isGreaterThanOrEqualTo(REQUESTS_PER_PATH);
    List<Span> clientSpans = spans.stream().filter(s -> s.kind() == Span.Kind.CLIENT).toList();
    List<Span> serverSpans = spans.stream().filter(s -> s.kind() == Span.Kind.SERVER).toList();
    assertThat(clientSpans).hasSize(2 * REQUESTS_PER_PATH);
    assertThat(clientSpans)
        .as("every client span has the status it read, and no error")
        .allSatisfy(
            s -> {
              assertThat(s.status()).isEqualTo(500);
              assertThat(s.error()).isNull();
              assertThat(s.responseExcerpt()).startsWith(HEAD_PREFIX);
            });
    assertThat(serverSpans).hasSize(2 * REQUESTS_PER_PATH);
    assertThat(serverSpans).allSatisfy(s -> assertThat(s.error()).isNull());
    assertThat(spans.stream().map(Span::traceId).distinct().count())
        .as("each server span is the child of its client span")
        .isEqualTo(2L * REQUESTS_PER_PATH);
    assertThat(assembler.counters().internalErrors()).isZero();
  }

  private Process start(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    processes.add(p);
    return p;
  }
}
