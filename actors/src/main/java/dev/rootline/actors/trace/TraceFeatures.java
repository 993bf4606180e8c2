package dev.rootline.actors.trace;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.rootline.persistence.Span;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the anomaly model sees of a trace.
 *
 * @param durationMillis first span start to last span end
 * @param spanCount spans in the trace
 * @param maxSelfTimeMillis the largest time a span spent outside its child spans
 * @param distinctServices services that took part
 * @param totalBytes request plus response bytes over all spans
 * @param clientErrorCount spans answered with a 4xx status
 */
public record TraceFeatures(
    double durationMillis,
    int spanCount,
    double maxSelfTimeMillis,
    int distinctServices,
    long totalBytes,
    int clientErrorCount) {

  /** Length of {@link #vector()}. */
  public static final int DIMENSIONS = 6;

  public static final List<String> NAMES =
      List.of(
          "log duration",
          "span count",
          "log max self time",
          "distinct services",
          "log bytes",
          "client errors");

  /**
   * The model's input. Durations and sizes are log-scaled: their spread is multiplicative, and a
   * log keeps one huge trace from flattening every other difference.
   */
  @JsonIgnore
  public double[] vector() {
    return new double[] {
      Math.log1p(durationMillis),
      spanCount,
      Math.log1p(maxSelfTimeMillis),
      distinctServices,
      Math.log1p(totalBytes),
      clientErrorCount
    };
  }

  public static TraceFeatures of(List<Span> spans) {
    if (spans.isEmpty()) {
      return new TraceFeatures(0, 0, 0, 0, 0, 0);
    }
    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    long bytes = 0;
    int clientErrors = 0;
    Set<String> services = new HashSet<>();
    Map<String, Long> childNanos = new HashMap<>();
    for (Span s : spans) {
      start = Math.min(start, s.startEpochNanos());
      end = Math.max(end, s.endEpochNanos());
      bytes += Math.max(0, s.requestBytes()) + Math.max(0, s.responseBytes());
      if (s.status() >= 400 && s.status() < 500) {
        clientErrors++;
      }
      services.add(s.service());
      if (s.parentSpanId() != null) {
        childNanos.merge(s.parentSpanId(), Math.max(0, s.durationNanos()), Long::sum);
      }
    }
    long maxSelf = 0;
    for (Span s : spans) {
      // Children may overlap (parallel calls); self time is clamped at zero rather than exact.
      long self = Math.max(0, s.durationNanos() - childNanos.getOrDefault(s.spanId(), 0L));
      maxSelf = Math.max(maxSelf, self);
    }
    return new TraceFeatures(
        Math.max(0, end - start) / 1e6,
        spans.size(),
        maxSelf / 1e6,
        services.size(),
        bytes,
        clientErrors);
  }
}
