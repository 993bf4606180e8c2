package dev.rootline.actors.inference.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootline.persistence.Span;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtlpJsonReaderTest {

  @TempDir Path dir;

  private static String request(String service, String spans) {
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
        + "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"" + service + "\"}},"
        + "{\"key\":\"host.name\",\"value\":{\"stringValue\":\"host-b\"}},"
        + "{\"key\":\"process.pid\",\"value\":{\"intValue\":\"4242\"}}]},"
        + "\"scopeSpans\":[{\"scope\":{\"name\":\"x\"},\"spans\":[" + spans + "]}]}]}";
  }

  private static final String SERVER =
      "{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"eee19b7ec3c1b174\","
          + "\"parentSpanId\":\"\",\"name\":\"POST /checkout\",\"kind\":2,"
          + "\"startTimeUnixNano\":\"1700000000000000000\",\"endTimeUnixNano\":\"1700000000250000000\","
          + "\"attributes\":[{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"POST\"}},"
          + "{\"key\":\"url.path\",\"value\":{\"stringValue\":\"/checkout\"}},"
          + "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":\"500\"}}],"
          + "\"status\":{\"code\":2}}";

  private static final String CLIENT =
      "{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"0102030405060708\","
          + "\"parentSpanId\":\"eee19b7ec3c1b174\",\"name\":\"GET\",\"kind\":3,"
          + "\"startTimeUnixNano\":1700000000010000000,\"endTimeUnixNano\":1700000000200000000,"
          + "\"attributes\":[{\"key\":\"http.method\",\"value\":{\"stringValue\":\"GET\"}},"
          + "{\"key\":\"http.target\",\"value\":{\"stringValue\":\"/items?id=3\"}}],"
          + "\"status\":{\"code\":2,\"message\":\"deadline exceeded\"}}";

  private List<Span> read(Path file) {
    List<Span> spans = new ArrayList<>();
    long n = OtlpJsonReader.read(file, spans::add);
    assertThat(n).isEqualTo(spans.size());
    return spans;
  }

  @Test
  void readsJsonLinesWithOneRequestPerLine() throws IOException {
    Path file = dir.resolve("traces.jsonl");
    Files.writeString(file, request("cart", SERVER) + "\n\n" + request("frontend", CLIENT) + "\n");

    List<Span> spans = read(file);

    assertThat(spans).hasSize(2);
    Span server = spans.get(0);
    assertThat(server.traceId()).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(server.parentSpanId()).isNull();
    assertThat(server.kind()).isEqualTo(Span.Kind.SERVER);
    assertThat(server.service()).isEqualTo("cart");
    assertThat(server.host()).isEqualTo("host-b");
    assertThat(server.pid()).isEqualTo(4242);
    assertThat(server.method()).isEqualTo("POST");
    assertThat(server.path()).isEqualTo("/checkout");
    assertThat(server.status()).isEqualTo(500);
    assertThat(server.isFailure()).isTrue();
    assertThat(server.error()).as("the HTTP status already says it failed").isNull();
    assertThat(server.durationNanos()).isEqualTo(250_000_000L);
    Span client = spans.get(1);
    assertThat(client.kind()).isEqualTo(Span.Kind.CLIENT);
    assertThat(client.parentSpanId()).isEqualTo("eee19b7ec3c1b174");
    assertThat(client.path()).isEqualTo("/items?id=3");
    assertThat(client.error()).isEqualTo("deadline exceeded");
  }

  @Test
  void readsOneDocumentSpreadOverManyLines() throws IOException {
    Path file = dir.resolve("trace.json");
    Files.writeString(file, request("cart", SERVER + ",\n" + CLIENT).replace(",", ",\n"));

    assertThat(read(file)).extracting(Span::spanId).containsExactly("eee19b7ec3c1b174", "0102030405060708");
  }

  @Test
  void acceptsBase64Ids() throws IOException {
    Path file = dir.resolve("b64.jsonl");
    String b64 =
        SERVER
            .replace("5B8EFFF798038103D269B633813FC60C", "W47/95gDgQPSabYzgT/GDA==")
            .replace("eee19b7ec3c1b174", "7uGbfsPBsXQ=");
    Files.writeString(file, request("cart", b64) + "\n");

    Span span = read(file).get(0);
    assertThat(span.traceId()).isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(span.spanId()).isEqualTo("eee19b7ec3c1b174");
  }

  @Test
  void aBrokenLineIsReportedWithItsNumber() throws IOException {
    Path file = dir.resolve("broken.jsonl");
    Files.writeString(
        file, request("cart", SERVER) + "\n" + request("cart", CLIENT) + "\n{\"resourceSpans\": [\n");

    assertThatThrownBy(() -> read(file))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("broken.jsonl:3")
        .satisfies(e -> assertThat(((MalformedRecordException) e).line()).isEqualTo(3));
  }

  @Test
  void wrongShapesAreNamed() throws IOException {
    Path notOtlp = dir.resolve("other.json");
    Files.writeString(notOtlp, "{\"hello\": 1}\n");
    assertThatThrownBy(() -> read(notOtlp)).hasMessageContaining("other.json:1").hasMessageContaining("resourceSpans");

    Path badId = dir.resolve("badid.jsonl");
    Files.writeString(badId, "\n" + request("cart", SERVER.replace("eee19b7ec3c1b174", "xyz")) + "\n");
    assertThatThrownBy(() -> read(badId)).hasMessageContaining("badid.jsonl:2").hasMessageContaining("spanId");

    Path backwards = dir.resolve("backwards.jsonl");
    Files.writeString(
        backwards, request("cart", SERVER.replace("1700000000250000000", "1600000000000000000")) + "\n");
    assertThatThrownBy(() -> read(backwards)).hasMessageContaining("ends before it starts");
  }

  @Test
  void aSecondDocumentAfterAMultiLineOneIsAnErrorNotDropped() throws IOException {
    Path file = dir.resolve("two.json");
    String doc = request("cart", SERVER).replace(",", ",\n");
    Files.writeString(file, doc + "\n" + doc + "\n");

    assertThatThrownBy(() -> read(file))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("two.json:");
  }
}
