package dev.rootline.actors.inference.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootline.persistence.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NezhaCsvReaderTest {

  @TempDir Path dir;

  static final String ROWS = NezhaCsvReader.HEADER + "\n"
      + "t1,a,root,ts-gateway-service-6f6cfc45b-h5m2n,/*,1000000,5000000,4000\n"
      + "t1,b,a,ts-auth-service-7f8d7d756d-k7b9j,\"SELECT a,b\",2000000,3000000,1000\n";

  @Test
  void readsGzippedRowsIntoSpans() throws IOException {
    Path file = dir.resolve("08_43_trace.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(ROWS.getBytes(StandardCharsets.UTF_8));
    }
    List<Span> spans = NezhaCsvReader.read(file);

    assertThat(spans).hasSize(2);
    Span root = spans.get(0);
    assertThat(root.parentSpanId()).isNull();
    assertThat(root.service()).isEqualTo("ts-gateway-service");
    assertThat(root.host()).isEqualTo("ts-gateway-service-6f6cfc45b-h5m2n");
    assertThat(root.path()).isEqualTo("/*");
    assertThat(root.durationNanos()).isEqualTo(4_000_000);
    assertThat(spans.get(1).parentSpanId()).isEqualTo("a");
    assertThat(spans.get(1).path()).as("commas inside the operation").isEqualTo("\"SELECT a,b\"");
  }

  @Test
  void malformedLineNamesFileAndLine() {
    String bad = ROWS + "t1,c,a,frontend-579b9bff58-t2dbm,op,notanumber,5,1\n";
    assertThatThrownBy(() -> NezhaCsvReader.read(stream(bad), "x.csv"))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageStartingWith("x.csv:4: not a number")
        .satisfies(e -> assertThat(((MalformedRecordException) e).line()).isEqualTo(4));
    assertThatThrownBy(() -> NezhaCsvReader.read(stream(ROWS + "t1,c,a\n"), "y.csv"))
        .hasMessageStartingWith("y.csv:4: expected 8 fields, got 3");
    assertThatThrownBy(() -> NezhaCsvReader.read(stream("a,b\n"), "z.csv"))
        .hasMessageStartingWith("z.csv:1: expected the header");
    assertThatThrownBy(() -> NezhaCsvReader.read(stream(ROWS + "t,d,a,p-1-2,op,9,5,1\n"), "w.csv"))
        .hasMessageStartingWith("w.csv:4: ends before it starts");
  }

  @Test
  void serviceIsThePodWithoutItsTwoHashParts() {
    assertThat(NezhaCsvReader.serviceOf("ts-contacts-service-866bd68c97-xcqfx")).isEqualTo("ts-contacts-service");
    assertThat(NezhaCsvReader.serviceOf("frontend-579b9bff58-t2dbm")).isEqualTo("frontend");
    assertThat(NezhaCsvReader.serviceOf("redis-cart")).isEqualTo("redis-cart");
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
