package dev.rootline.actors.inference.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootline.persistence.Span;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads OpenTelemetry traces in the OTLP/JSON encoding: either one {@code
 * ExportTraceServiceRequest} object per line (what the collector's file exporter writes) or one
 * such object spread over the whole file. Gzip is recognised by the {@code .gz} suffix.
 *
 * <p>OTLP spans are mapped onto Rootline's {@link Span}: SERVER, CONSUMER and INTERNAL spans
 * become server spans, CLIENT and PRODUCER spans client spans; the service is {@code
 * service.name}, the host {@code host.name} (else {@code k8s.pod.name}, else {@code
 * service.instance.id}); method, path and status come from the HTTP semantic conventions (old
 * and new names) and fall back to the span name; an OTLP error status without an HTTP status
 * becomes the span's error.
 */
public final class OtlpJsonReader {

  // Trailing tokens fail: a second document after the first must not be dropped silently.
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final HexFormat HEX = HexFormat.of();

  private OtlpJsonReader() {}

  /**
   * Calls {@code sink} with every span of {@code file}, in file order.
   *
   * @return how many spans were read
   * @throws MalformedRecordException naming the line of the first input that is not OTLP/JSON
   */
  public static long read(Path file, Consumer<Span> sink) {
    try (BufferedReader in = open(file)) {
      StringBuilder whole = new StringBuilder();
      long count = 0;
      long lineNo = 0;
      long firstLine = 0;
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        if (whole.isEmpty()) {
          // One complete object per line (JSON Lines) is the common case; only when a line does
          // not parse on its own is the file read as one multi-line document.
          JsonNode node = tryParse(line);
          if (node != null) {
            count += spansOf(node, file, lineNo, sink);
            continue;
          }
          firstLine = lineNo;
        }
        whole.append(line).append('\n');
      }
      if (!whole.isEmpty()) {
        JsonNode node;
        try {
          node = JSON.readTree(whole.toString());
        } catch (JsonEOFException e) {
          throw new MalformedRecordException(
              file.toString(), firstLine, "the JSON document that starts here is cut off at the end of the file");
        } catch (JsonProcessingException e) {
          long at = firstLine + Math.max(0, e.getLocation().getLineNr() - 1);
          throw new MalformedRecordException(file.toString(), at, "not JSON: " + e.getOriginalMessage());
        }
        count += spansOf(node, file, firstLine, sink);
      }
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static BufferedReader open(Path file) throws IOException {
    var raw = Files.newInputStream(file);
    var stream = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
    return new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
  }

  private static JsonNode tryParse(String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static long spansOf(JsonNode request, Path file, long line, Consumer<Span> sink) {
    JsonNode resourceSpans = request.get("resourceSpans");
    if (resourceSpans == null || !resourceSpans.isArray()) {
      throw new MalformedRecordException(file.toString(), line, "no \"resourceSpans\" array: not OTLP/JSON traces");
    }
    long count = 0;
    for (JsonNode rs : resourceSpans) {
      Map<String, String> resource = attributes(rs.path("resource").path("attributes"));
      String service = resource.getOrDefault("service.name", "unknown_service");
      String host =
          first(resource, "host.name", "k8s.pod.name", "service.instance.id", "unknown-host");
      int pid = parseInt(resource.get("process.pid"), 0);
      for (JsonNode scope : rs.path("scopeSpans")) {
        for (JsonNode span : scope.path("spans")) {
          sink.accept(span(span, service, host, pid, file, line));
          count++;
        }
      }
    }
    return count;
  }

  private static Span span(JsonNode s, String service, String host, int pid, Path file, long line) {
    String traceId = id(s, "traceId", 32, file, line);
    String spanId = id(s, "spanId", 16, file, line);
    String parent = s.path("parentSpanId").asText("");
    String parentId = parent.isEmpty() ? null : id(s, "parentSpanId", 16, file, line);
    long start = nanos(s, "startTimeUnixNano", file, line);
    long end = nanos(s, "endTimeUnixNano", file, line);
    if (end < start) {
      throw new MalformedRecordException(file.toString(), line, "span " + spanId + " ends before it starts");
    }
    Map<String, String> attrs = attributes(s.path("attributes"));
    String name = s.path("name").asText("");
    int kind = s.path("kind").asInt(1);
    String method = first(attrs, "http.request.method", "http.method", "rpc.method", "");
    String path = first(attrs, "url.path", "http.target", "http.route", "rpc.service", name);
    int status = parseInt(first(attrs, "http.response.status_code", "http.status_code", null), 0);
    int otlpStatus = s.path("status").path("code").asInt(0);
    String error = null;
    if (otlpStatus == 2 && status < 500) {
      String message = s.path("status").path("message").asText("");
      error = message.isEmpty() ? "error status" : message;
    }
    return new Span(
        traceId,
        spanId,
        parentId,
        kind == 3 || kind == 4 ? Span.Kind.CLIENT : Span.Kind.SERVER,
        host,
        service,
        pid,
        method,
        path.isEmpty() ? name : path,
        status,
        start,
        end,
        parseLong(first(attrs, "http.request.body.size", "http.request_content_length", null)),
        parseLong(first(attrs, "http.response.body.size", "http.response_content_length", null)),
        first(attrs, "server.address", "net.host.name", ""),
        first(attrs, "client.address", "net.peer.name", "server.address", ""),
        name,
        "",
        error);
  }

  /** OTLP/JSON ids are hex (the protobuf JSON mapping's base64 is accepted too). */
  private static String id(JsonNode s, String field, int hexChars, Path file, long line) {
    String text = s.path(field).asText("");
    String hex = text.toLowerCase(Locale.ROOT);
    if (hex.length() == hexChars && hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return hex;
    }
    try {
      byte[] raw = java.util.Base64.getDecoder().decode(text);
      if (raw.length * 2 == hexChars) {
        return HEX.formatHex(raw);
      }
    } catch (IllegalArgumentException notBase64) {
      // reported below
    }
    throw new MalformedRecordException(
        file.toString(), line, "span field \"" + field + "\" is not a " + hexChars + "-digit hex id: \"" + text + "\"");
  }

  private static long nanos(JsonNode s, String field, Path file, long line) {
    JsonNode v = s.get(field);
    if (v == null || !(v.isNumber() || v.isTextual())) {
      throw new MalformedRecordException(file.toString(), line, "span without \"" + field + "\"");
    }
    try {
      return v.isNumber() ? v.asLong() : Long.parseLong(v.asText());
    } catch (NumberFormatException e) {
      throw new MalformedRecordException(file.toString(), line, "\"" + field + "\" is not a number: " + v);
    }
  }

  /** OTLP key/value lists flattened to text: {"key":"k","value":{"stringValue":"v"}} → k=v. */
  private static Map<String, String> attributes(JsonNode list) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode kv : list) {
      JsonNode value = kv.path("value");
      String text = null;
      for (String type : new String[] {"stringValue", "intValue", "doubleValue", "boolValue"}) {
        if (value.has(type)) {
          text = value.get(type).asText();
          break;
        }
      }
      if (kv.has("key") && text != null) {
        out.put(kv.get("key").asText(), text);
      }
    }
    return out;
  }

  private static String first(Map<String, String> attrs, String... keysThenDefault) {
    for (int i = 0; i < keysThenDefault.length - 1; i++) {
      String v = attrs.get(keysThenDefault[i]);
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return keysThenDefault[keysThenDefault.length - 1];
  }

  private static int parseInt(String text, int otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static long parseLong(String text) {
    if (text == null) {
      return 0;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
