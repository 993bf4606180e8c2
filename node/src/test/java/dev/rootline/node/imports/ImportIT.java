package dev.rootline.node.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.TestCassandra;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceSummary;
import dev.rootline.persistence.readside.CassandraIssueQueries;
import dev.rootline.persistence.readside.CassandraTraceQueries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import against a real Cassandra: one recorded Nezha fault and a small OTLP/JSON file go
 * through the judge into the journal, and the read side the API uses then shows their issues
 * (ranked root causes summing to 1, timelines in the recorded time) and their retained traces.
 */
class ImportIT {

  private static final long OTLP_START_NANOS = 1_700_000_000_000_000_000L;
  private static Config config;
  private static ActorSystem<Void> reader;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    config = ConfigFactory.parseString(String.join("\n",
            "rootline.node.start-local-cassandra = off",
            "rootline.node.import.progress-interval = 2s"))
        .withFallback(TestCassandra.config(TestCassandra.uniqueKeyspace("import_it")))
        .withFallback(ConfigFactory.load());
  }

  @AfterAll
  static void stop() throws Exception {
    if (reader != null) {
      reader.terminate();
      reader.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void importedIncidentsReachTheReadSide() throws Exception {
    Path fault = Path.of(ImportIT.class.getResource("/nezha-subset/online-boutique-2022-08-22/trace").toURI());
    Path otlp = writeOtlp(dir.resolve("checkout.jsonl"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long t0 = System.nanoTime();

    int exit = ImportCommand.run(
        new String[] {"--format", "nezha-csv",
            fault.resolve("05_27_trace.csv.gz").toString(),
            fault.resolve("05_28_trace.csv.gz").toString(),
            fault.resolve("05_29_trace.csv.gz").toString()},
        config, new PrintStream(new Tee(out, System.out), true, StandardCharsets.UTF_8), System.err);
    System.out.printf("ImportIT: one Nezha fault imported in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("imported 50,110 spans").contains("issues touched");

    t0 = System.nanoTime();
    exit = ImportCommand.run(new String[] {"--format", "otlp-json", dir.toString()}, config,
        new PrintStream(new Tee(out, System.out), true, StandardCharsets.UTF_8), System.err);
    System.out.printf("ImportIT: OTLP file imported in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertThat(exit).isZero();

    reader = ActorSystem.create(Behaviors.empty(), "import-it-reader",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config).resolve());
    CassandraIssueQueries issues = CassandraIssueQueries.create(reader);
    CassandraTraceQueries traces = CassandraTraceQueries.create(reader);

    List<IssueSummary> all = issues.list(new IssueFilter(null, null, 1000, 0)).toCompletableFuture()
        .get(30, TimeUnit.SECONDS).issues();
    assertThat(all).extracting(IssueSummary::service)
        .as("issues of the Nezha fault (Online Boutique services) and of the OTLP file")
        .contains("frontend-otlp")
        .anyMatch(s -> s.contains("service") || s.equals("frontend"));
    for (IssueSummary s : all) {
      IssueDetail detail = issues.get(s.issueId()).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
      assertThat(detail.rootCauses()).as("ranked root causes of " + s.title()).isNotEmpty();
      assertThat(detail.rootCauses().stream().mapToDouble(RootCause::probability).sum())
          .as("probabilities of " + s.title()).isCloseTo(1.0, within(1e-6));
      boolean nezha = s.firstSeenMillis() < Instant.parse("2023-01-01T00:00:00Z").toEpochMilli();
      long recordedFrom = nezha ? Instant.parse("2022-08-22T05:26:00Z").toEpochMilli() : OTLP_START_NANOS / 1_000_000;
      assertThat(s.firstSeenMillis()).as("timeline in the recorded time: " + s.title())
          .isBetween(recordedFrom, recordedFrom + 4 * 60_000);
    }

    IssueSummary checkout = all.stream().filter(s -> s.service().equals("frontend-otlp")).findFirst().orElseThrow();
    assertThat(checkout.kind()).isEqualTo(RetainedTrace.FAILURE);
    assertThat(checkout.occurrences()).isEqualTo(10);
    IssueDetail detail = issues.get(checkout.issueId()).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow();
    assertThat(detail.rootCauses().get(0).service()).as("the failing cart is the top root cause").isEqualTo("cart-otlp");

    Optional<RetainedTrace> failed = traces.get(traceId(0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(failed).as("a failed OTLP checkout is retained").isPresent();
    assertThat(failed.get().verdict()).isEqualTo(RetainedTrace.FAILURE);
    assertThat(failed.get().spans()).hasSize(3);

    List<TraceSummary> recorded = traces.list(new TraceFilter(null,
            Instant.parse("2022-08-22T05:26:00Z"), Instant.parse("2022-08-22T05:31:00Z"), 1000))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(recorded).as("retained Nezha traces listed at their recorded time").isNotEmpty();
  }

  /** 50 checkouts one second apart: every fifth fails in cart (HTTP 500). */
  private static Path writeOtlp(Path file) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      boolean fails = i % 5 == 0;
      long start = OTLP_START_NANOS + i * 1_000_000_000L;
      String trace = traceId(i);
      String root = String.format("%016x", 0x1000L + i);
      String client = String.format("%016x", 0x2000L + i);
      String cart = String.format("%016x", 0x3000L + i);
      long cartNanos = (fails ? 40 : 20 + i % 7) * 1_000_000L;
      b.append(request("frontend-otlp", "host-a",
              span(trace, root, "", 2, start, start + cartNanos + 10_000_000L, "GET", "/checkout", fails ? 500 : 200)
                  + "," + span(trace, client, root, 3, start + 2_000_000L, start + cartNanos + 6_000_000L,
                      "POST", "/cart", fails ? 500 : 200)))
          .append('\n')
          .append(request("cart-otlp", "host-b",
              span(trace, cart, client, 2, start + 3_000_000L, start + cartNanos + 5_000_000L, "POST",
                  "/cart", fails ? 500 : 200)))
          .append('\n');
    }
    return Files.writeString(file, b.toString());
  }

  private static String traceId(int i) {
    return String.format("%032x", 0xabc000L + i);
  }

  private static String request(String service, String host, String spans) {
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
        + "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service + "\"}},"
        + "{\"key\":\"host.name\",\"value\":{\"stringValue\":\"" + host + "\"}}]},"
        + "\"scopeSpans\":[{\"spans\":[" + spans + "]}]}]}";
  }

  private static String span(String trace, String id, String parent, int kind, long start, long end,
      String method, String path, int status) {
    return "{\"traceId\":\"" + trace + "\",\"spanId\":\"" + id + "\",\"parentSpanId\":\"" + parent
        + "\",\"name\":\"" + method + " " + path + "\",\"kind\":" + kind
        + ",\"startTimeUnixNano\":\"" + start + "\",\"endTimeUnixNano\":\"" + end + "\","
        + "\"attributes\":[{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"" + method + "\"}},"
        + "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"" + path + "\"}},"
        + "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"" + status + "\"}}]}";
  }

  /** Writes to both: the summary is asserted on and shown in the test log. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
