package dev.rootline.node.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the import refuses before it starts anything: no Cassandra (its data directory is never
 * created), no actor system (no thread of one).
 */
class ImportCommandTest {

  private static final String HEADER =
      "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration";
  private static final String NEZHA_LINE =
      "002443b72aefd8f6dc99d1f3a43be337,23754f0322da1542,root,frontend-579b9bff58-t2dbm,"
          + "hipstershop.Frontend/Recv.,1661145982558265576,1661145982686859309,128593";

  @TempDir Path dir;

  private record Result(int exit, String out, String err) {}

  private Result run(String... args) {
    return run(ConfigFactory.empty(), args);
  }

  private Result run(Config extra, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Config base = extra
        .withFallback(ConfigFactory.parseString(
            "rootline.persistence.cassandra.data-dir = \"" + cassandraDir() + "\""))
        .withFallback(ConfigFactory.load());
    int exit = ImportCommand.run(args, base, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path cassandraDir() {
    return dir.resolve("cassandra");
  }

  private void assertNothingStarted() {
    assertThat(cassandraDir()).as("no Cassandra started").doesNotExist();
    assertThat(Thread.getAllStackTraces().keySet())
        .as("no actor system started")
        .noneMatch(t -> t.getName().startsWith("rootline-import"));
  }

  @Test
  void badArgumentsPrintTheUsageAndExit2() throws IOException {
    Path csv = Files.writeString(dir.resolve("a.csv"), HEADER + "\n" + NEZHA_LINE + "\n");
    String[][] bad = {
      {},
      {csv.toString()},
      {"--format", "zipkin", csv.toString()},
      {"--format"},
      {"--format", "nezha-csv"},
      {"--format", "nezha-csv", "--bogus", csv.toString()},
      {"--format", "nezha-csv", dir.resolve("missing.csv").toString()},
      {"--format", "nezha-csv", "--config", dir.resolve("missing.conf").toString(), csv.toString()},
      {"--format", "otlp-json", dir.toString()}, // a folder without any .json file
    };
    for (String[] args : bad) {
      Result r = run(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).startsWith("import: ").contains("usage: ./rootline import");
      assertThat(r.out()).isEmpty();
    }
    assertNothingStarted();
  }

  @Test
  void helpGoesToStdoutWithExit0() {
    Result r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--format nezha-csv|otlp-json");
  }

  @Test
  void aMalformedNezhaLineNamesFileAndLineAndStartsNothing() throws IOException {
    Path traces = Files.createDirectories(dir.resolve("incident/trace"));
    Path good = traces.resolve("05_27_trace.csv.gz");
    try (var gz = new GZIPOutputStream(Files.newOutputStream(good))) {
      gz.write((HEADER + "\n" + NEZHA_LINE + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path bad = traces.resolve("05_28_trace.csv");
    Files.writeString(bad, HEADER + "\n" + NEZHA_LINE + "\n" + NEZHA_LINE.replace("1661145982686859309", "soon") + "\n");

    Result r = run("--format", "nezha-csv", dir.resolve("incident").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("import: read " + good + ": 1 spans")
        .contains("import: " + bad + ":3: not a number");
    assertThat(r.out()).isEmpty();
    assertNothingStarted();
  }

  @Test
  void malformedOtlpNamesFileAndLineAndStartsNothing() throws IOException {
    Path file = dir.resolve("spans.jsonl");
    Files.writeString(file, "{\"resourceSpans\":[]}\n\n{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
        + "{\"traceId\":\"00112233445566778899aabbccddeeff\",\"spanId\":\"not-hex\"}]}]}]}\n");

    Result r = run("--format", "otlp-json", file.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("import: " + file + ":3: ").contains("spanId");
    assertNothingStarted();
  }

  @Test
  void moreSpansThanTheMaximumIsRefusedBeforeStarting() throws IOException {
    Path csv = Files.writeString(dir.resolve("a.csv"), HEADER + "\n" + NEZHA_LINE + "\n"
        + NEZHA_LINE.replace("23754f0322da1542", "23754f0322da1543") + "\n");

    Result r = run(ConfigFactory.parseString("rootline.node.import.max-spans = 1"),
        "--format", "nezha-csv", csv.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("more than 1 spans").contains("rootline.node.import.max-spans");
    assertNothingStarted();
  }
}
