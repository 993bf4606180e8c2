package dev.rootline.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.TestCassandra;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 7's capture test for PII masking, on one real node (real eBPF capture, real Cassandra,
 * real API): requests carrying an {@code Authorization} header, a cookie, a card number and an
 * e-mail address (in the query and the JSON body), answered 500 with a {@code Set-Cookie} and the
 * body echoed, go through a captured service and are retained as failures. None of the secrets
 * may then be found in any table of the keyspace (event and snapshot blobs read as text,
 * gzip-compressed ones inflated), in the API's answers (traces, trace details, issues, issue
 * details, stats) or in anything the node logged (at DEBUG for {@code dev.rootline}); the
 * masking counters show every rule at work.
 */
class PiiMaskingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int REQUESTS = 3;

  /** Answers every POST with 500, a session cookie and the request body echoed back. */
  private static final String SERVICE =
      String.join(
          "\n",
          "import sys",
          "from http.server import BaseHTTPRequestHandler, HTTPServer",
          "class H(BaseHTTPRequestHandler):",
          "    protocol_version = 'HTTP/1.1'",
          "    def do_POST(self):",
          "        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))",
          "        out = b'{\"error\":\"payment refused\",\"echo\":' + body + b'}'",
          "        self.send_response(500)",
          "        self.send_header('Set-Cookie', 'session=' + sys.argv[2] + '; Path=/; HttpOnly')",
          "        self.send_header('Content-Type', 'application/json')",
          "        self.send_header('Content-Length', str(len(out)))",
          "        self.send_header('Connection', 'close')",
          "        self.end_headers()",
          "        self.wfile.write(out)",
          "    def log_message(self, *args):",
          "        pass",
          "HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()");

  private static final String RUN = HexFormat.of().formatHex(randomBytes(6));
  private static final String TOKEN = "tok" + RUN + "Zx9";
  private static final String COOKIE = "ck" + RUN + "Qw3";
  private static final String SET_COOKIE = "sc" + RUN + "Rt5";
  private static final String PASSWORD = "pw" + RUN + "Hn2";
  private static final String EMAIL_LOCAL = "pii" + RUN;
  private static final String EMAIL = EMAIL_LOCAL + "@example.com";
  private static final String CARD = "4111111111111111";
  private static final String CARD_SPACED = "4111 1111 1111 1111";
  /** What must never be found; the e-mail's local part alone covers its URL-encoded form. */
  private static final List<String> SECRETS =
      List.of(TOKEN, COOKIE, SET_COOKIE, PASSWORD, EMAIL_LOCAL, CARD, CARD_SPACED, "4111-1111");

  private static String keyspace;
  private static Config config;
  private static RootlineNode node;
  private static Process service;
  private static int servicePort;
  private static final List<String> leakingLogLines = new CopyOnWriteArrayList<>();
  private static final AtomicLong logEvents = new AtomicLong();
  private static LeakDetector detector;
  private static Level previousLevel;

  @BeforeAll
  static void start() throws Exception {
    watchLogs();
    keyspace = TestCassandra.uniqueKeyspace("masking_it");
    config =
        ConfigFactory.parseString(
                String.join(
                    "\n",
                    TestNodeConfig.IN_PROCESS,
                    TestApiTokens.CONFIG,
                    // Whole requests and responses in the excerpts: the body's secrets too.
                    "rootline.actors.capture.excerpt-bytes = 1024"))
            .withFallback(TestCassandra.config(keyspace))
            .withFallback(ConfigFactory.load())
            .resolve();
    servicePort = DemoServices.freePort();
    service =
        new ProcessBuilder("python3", "-c", SERVICE, String.valueOf(servicePort), SET_COOKIE)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    node = RootlineNode.start(config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (service != null) {
      service.destroy();
      if (!service.waitFor(10, TimeUnit.SECONDS)) {
        service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    if (detector != null) {
      logs.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(detector);
      detector.stop();
    }
    logs.getLogger("dev.rootline").setLevel(previousLevel);
  }

  @Test
  void secretsSentThroughACapturedServiceAreFoundNowhere() throws Exception {
    long started = System.nanoTime();
    String url = "http://127.0.0.1:" + servicePort + "/pay?email=" + EMAIL + "&card=" + CARD;
    String body =
        "{\"email\":\"" + EMAIL + "\",\"card\":\"" + CARD_SPACED + "\",\"password\":\"" + PASSWORD + "\",\"qty\":1}";
    awaitListening();
    for (int i = 0; i < REQUESTS; i++) {
      int status =
          Curl.send(
              url,
              "-X", "POST",
              "-H", "Authorization: Bearer " + TOKEN,
              "-H", "Cookie: session=" + COOKIE + "; theme=dark",
              "-H", "Content-Type: application/json",
              "--data", body);
      assertThat(status).as("the captured service fails the payment").isEqualTo(500);
    }
    String ourService = "python3:" + servicePort;

    // Retained (a 500 always is), with the service's spans, their targets masked.
    JsonNode traces =
        await(
            () -> field(polled("/api/v1/traces?limit=1000"), "traces"),
            t -> t != null && ours(t, ourService).size() >= REQUESTS,
            "the failed payments retained");
    List<JsonNode> retained = ours(traces, ourService);
    List<String> answers = new ArrayList<>();
    answers.add(traces.toString());
    boolean sawMaskedExcerpt = false;
    for (JsonNode t : retained) {
      JsonNode detail = api("/api/v1/traces/" + t.get("traceId").asText());
      answers.add(detail.toString());
      sawMaskedExcerpt |= detail.toString().contains("Bearer [masked:authorization]");
    }
    assertThat(sawMaskedExcerpt).as("the excerpts are kept, masked: " + answers).isTrue();

    // The failure became an issue; its root-cause candidates come from masked attributes.
    JsonNode issues =
        await(
            () -> field(polled("/api/v1/issues?limit=100"), "issues"),
            list -> list != null && issueOf(list, ourService) != null,
            "an issue of the failed payments");
    answers.add(issues.toString());
    answers.add(api("/api/v1/issues/" + issueOf(issues, ourService).get("issueId").asText()).toString());

    JsonNode stats =
        await(
            () -> polled("/api/v1/stats"),
            s -> s != null && s.at("/masking/email").asLong() > 0 && s.at("/masking/password").asLong() > 0,
            "masking counters");
    answers.add(stats.toString());
    JsonNode masking = stats.get("masking");
    // Each request is captured twice (curl's client span and the service's server span).
    assertThat(masking.get("authorization").asLong()).as("masking: " + masking).isGreaterThanOrEqualTo(REQUESTS);
    assertThat(masking.get("cookie").asLong()).isGreaterThanOrEqualTo(2L * REQUESTS); // Cookie + Set-Cookie
    assertThat(masking.get("card-number").asLong()).isGreaterThanOrEqualTo(2L * REQUESTS); // query + body
    assertThat(masking.get("email").asLong()).isGreaterThanOrEqualTo(2L * REQUESTS); // query + body
    assertThat(masking.get("password").asLong()).isGreaterThanOrEqualTo(REQUESTS);
    for (String answer : answers) {
      assertNoSecret("an API answer", answer);
    }

    // Cassandra: every table of the keyspace, every column, blobs read as text.
    List<String> tables = new ArrayList<>();
    long maskedCells = scanKeyspace(tables);
    assertThat(tables).as("tables scanned").contains("messages");
    assertThat(maskedCells).as("cells holding masked values: the retained data was scanned").isPositive();

    assertThat(logEvents.get()).as("the node's log was watched").isPositive();
    assertThat(leakingLogLines).as("log lines holding a secret").isEmpty();
    System.out.printf(
        "PiiMaskingIT: %d tables scanned, %d cells with masked values, %d log events, masking %s, %.1f s%n",
        tables.size(), maskedCells, logEvents.get(), masking, (System.nanoTime() - started) / 1e9);
  }

  // ---- Cassandra ----

  /** Scans every row of every table; returns the cells that hold a masking marker. */
  private static long scanKeyspace(List<String> tables) {
    long maskedCells = 0;
    try (CqlSession session =
        CqlSession.builder()
            .addContactPoint(TestCassandra.contactPoint())
            .withLocalDatacenter("datacenter1")
            .build()) {
      for (Row t :
          session.execute(
              SimpleStatement.newInstance(
                  "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace))) {
        tables.add(t.getString("table_name"));
      }
      for (String table : tables) {
        SimpleStatement all =
            SimpleStatement.newInstance("SELECT * FROM \"" + keyspace + "\".\"" + table + "\"")
                .setPageSize(500)
                .setTimeout(Duration.ofSeconds(30));
        for (Row row : session.execute(all)) {
          ColumnDefinitions columns = row.getColumnDefinitions();
          for (int i = 0; i < columns.size(); i++) {
            String text = asText(row.getObject(i));
            assertNoSecret(table + "." + columns.get(i).getName().asInternal(), text);
            if (text.contains("[masked:")) {
              maskedCells++;
            }
          }
        }
      }
    }
    return maskedCells;
  }

  /** A cell as text: blobs (CBOR events, snapshots) byte for byte, gzip-compressed ones inflated. */
  private static String asText(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        } catch (IOException notGzip) {
          // then it is read as it is
        }
      }
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    return String.valueOf(value);
  }

  // ---- logs ----

  /** Everything logged in this JVM from now on is checked for the secrets, dev.rootline at DEBUG. */
  private static void watchLogs() {
    LoggerContext logs = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger ours = logs.getLogger("dev.rootline");
    previousLevel = ours.getLevel();
    ours.setLevel(Level.DEBUG);
    detector = new LeakDetector();
    detector.setContext(logs);
    detector.start();
    logs.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(detector);
  }

  private static final class LeakDetector extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      logEvents.incrementAndGet();
      String text = event.getFormattedMessage();
      if (event.getThrowableProxy() != null) {
        text += ThrowableProxyUtil.asString(event.getThrowableProxy());
      }
      for (String secret : SECRETS) {
        if (text != null && text.contains(secret)) {
          leakingLogLines.add(event.getLoggerName() + ": " + text);
          return;
        }
      }
    }
  }

  // ---- helpers ----

  private static void assertNoSecret(String where, String text) {
    for (String secret : SECRETS) {
      assertThat(text).as(where + " holds \"" + secret + "\"").doesNotContain(secret);
    }
  }

  private static List<JsonNode> ours(JsonNode traces, String service) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode t : traces) {
      if (t.get("rootStatus").asInt() == 500 && t.get("services").toString().contains("\"" + service + "\"")) {
        out.add(t);
      }
    }
    return out;
  }

  private static JsonNode issueOf(JsonNode issues, String service) {
    for (JsonNode i : issues) {
      if (i.toString().contains(service)) {
        return i;
      }
    }
    return null;
  }

  /** A 200 answer of the API, asked again while the node is not ready to give it. */
  private static JsonNode api(String path) throws Exception {
    return await(() -> polled(path), answer -> answer != null, "200 from " + path);
  }

  /** An answer while waiting: null when the node is not ready to give it (e.g. a slow store's 503). */
  private static JsonNode polled(String path) throws Exception {
    Curl.Reply r = Curl.apiGet("http://127.0.0.1:" + node.apiPort() + path);
    return r.status() == 200 ? JSON.readTree(r.body()) : null;
  }

  private static JsonNode field(JsonNode node, String name) {
    return node == null ? null : node.get(name);
  }

  private static void awaitListening() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(service.isAlive()).as("the test service runs").isTrue();
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", servicePort), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the test service does not listen on " + servicePort);
  }

  private static <T> T await(Await.Probe<T> probe, Predicate<T> done, String what) throws Exception {
    return Await.until(probe, done, what, WAIT);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random().nextBytes(b);
    return b;
  }
}
