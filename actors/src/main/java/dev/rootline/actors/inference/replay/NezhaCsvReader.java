package dev.rootline.actors.inference.replay;

import dev.rootline.persistence.Span;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Nezha trace file ({@code *.csv.gz} or {@code *.csv}) with the columns
 * {@code TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration}
 * into {@link Span}s. A malformed line stops the read with a {@link MalformedRecordException}
 * naming the file and line: a half-read incident would be silently wrong.
 *
 * <p>Mapping: service = the pod name without its two trailing hash parts
 * ({@code ts-contacts-service-866bd68c97-xcqfx} → {@code ts-contacts-service}), host = the pod
 * (the instance), method {@code "RPC"}, path = the operation name, status 0 (Nezha has none),
 * kind SERVER; {@link #markClientSpans} then marks as CLIENT the spans that only wait on another
 * service (Nezha does not record span kinds).
 */
public final class NezhaCsvReader {

  static final String HEADER =
      "TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration";
  static final String METHOD = "RPC";

  private NezhaCsvReader() {}

  public static List<Span> read(Path file) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  public static List<Span> read(InputStream in, String name) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String header = reader.readLine();
    if (header == null) {
      throw new MalformedRecordException(name, 1, "empty file, expected the header " + HEADER);
    }
    if (!header.strip().replace("\uFEFF", "").equals(HEADER)) {
      throw new MalformedRecordException(name, 1, "expected the header " + HEADER + ", got " + header);
    }
    List<Span> spans = new ArrayList<>();
    String line;
    long number = 1;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      spans.add(parse(line, name, number));
    }
    return spans;
  }

  static Span parse(String line, String name, long number) {
    // The operation name may itself contain commas: the first four and last three fields are fixed.
    String[] f = line.split(",", -1);
    if (f.length < 8) {
      throw new MalformedRecordException(name, number, "expected 8 fields, got " + f.length + ": " + cut(line));
    }
    String operation = String.join(",", java.util.Arrays.copyOfRange(f, 4, f.length - 3));
    String traceId = f[0].strip();
    String spanId = f[1].strip();
    String parent = f[2].strip();
    String pod = f[3].strip();
    if (traceId.isEmpty() || spanId.isEmpty() || pod.isEmpty()) {
      throw new MalformedRecordException(name, number, "empty TraceID, SpanID or PodName: " + cut(line));
    }
    long start;
    long end;
    try {
      start = Long.parseLong(f[f.length - 3].strip());
      end = Long.parseLong(f[f.length - 2].strip());
      Double.parseDouble(f[f.length - 1].strip());
    } catch (NumberFormatException e) {
      throw new MalformedRecordException(name, number, "not a number in StartTimeUnixNano, EndTimeUnixNano or Duration: " + cut(line));
    }
    if (end < start) {
      throw new MalformedRecordException(name, number, "ends before it starts: " + cut(line));
    }
    return new Span(traceId, spanId, "root".equals(parent) || parent.isEmpty() ? null : parent,
        Span.Kind.SERVER, pod, serviceOf(pod), 0, METHOD, operation, 0, start, end, 0, 0, null,
        null, null, null, null);
  }

  /**
   * Marks as CLIENT every span that has children, all of them in other services: in Nezha's
   * traces those are the exit spans ("HTTP GET", "hipstershop.CurrencyService/Convert" on the
   * caller's side), whose self time is the time between the two processes. Needs all spans of a
   * trace at once (e.g. every file of an incident).
   */
  public static List<Span> markClientSpans(List<Span> spans) {
    java.util.Map<String, Span> byId = new java.util.HashMap<>(spans.size() * 2);
    for (Span s : spans) {
      byId.put(s.traceId() + "/" + s.spanId(), s);
    }
    java.util.Map<String, Boolean> onlyOthers = new java.util.HashMap<>();
    for (Span s : spans) {
      if (s.parentSpanId() == null) {
        continue;
      }
      String parentKey = s.traceId() + "/" + s.parentSpanId();
      Span parent = byId.get(parentKey);
      if (parent != null) {
        boolean other = !parent.service().equals(s.service());
        onlyOthers.merge(parentKey, other, Boolean::logicalAnd);
      }
    }
    List<Span> out = new ArrayList<>(spans.size());
    for (Span s : spans) {
      boolean client = onlyOthers.getOrDefault(s.traceId() + "/" + s.spanId(), false);
      out.add(client ? new Span(s.traceId(), s.spanId(), s.parentSpanId(), Span.Kind.CLIENT,
          s.host(), s.service(), s.pid(), s.method(), s.path(), s.status(), s.startEpochNanos(),
          s.endEpochNanos(), s.requestBytes(), s.responseBytes(), s.localAddress(),
          s.peerAddress(), s.requestExcerpt(), s.responseExcerpt(), s.error()) : s);
    }
    return out;
  }

  /** The pod name without its two trailing hash parts (the whole name if it has fewer parts). */
  public static String serviceOf(String pod) {
    String[] parts = pod.split("-");
    if (parts.length < 3) {
      return pod;
    }
    return String.join("-", java.util.Arrays.copyOfRange(parts, 0, parts.length - 2));
  }

  private static String cut(String line) {
    return line.length() > 120 ? line.substring(0, 120) + "…" : line;
  }
}
