package dev.rootline.persistence;

import java.time.Instant;

/**
 * What the trace list asks for: newest first, at most {@code limit}.
 *
 * @param service only traces with a span of this service, or null for all
 * @param from only traces that started at or after this instant, or null
 * @param to only traces that started before this instant, or null
 * @param limit at most this many (1..1000)
 */
public record TraceFilter(String service, Instant from, Instant to, int limit) {
  public static final int MAX_LIMIT = 1000;

  public TraceFilter {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to");
    }
  }
}
