package dev.rootline.api;

import dev.rootline.persistence.TraceFilter;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code service}, {@code from}, {@code to} and {@code limit} of {@code GET /api/v1/traces}
 * into a {@link TraceFilter}, or refuses with a 400 naming the parameter, the accepted form and the
 * value received. An empty value means "not given" (what an HTML form sends for an empty field).
 */
final class TraceFilterParameters {

  static final List<String> NAMES = List.of("service", "from", "to", "limit");

  private static final Pattern EPOCH_MILLIS = Pattern.compile("\\d{1,15}");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");
  private static final int MAX_SERVICE_LENGTH = 256;

  private TraceFilterParameters() {}

  static TraceFilter parse(MultiMap params, int defaultLimit, int maxLimit) {
    QueryParameters.requireOnly(params, NAMES);
    String service = service(QueryParameters.single(params, "service"));
    Instant from = instant("from", QueryParameters.single(params, "from"));
    Instant to = instant("to", QueryParameters.single(params, "to"));
    int limit = limit(QueryParameters.single(params, "limit"), defaultLimit, maxLimit);
    if (from != null && to != null && !from.isBefore(to)) {
      throw ApiProblem.badRequest("from (" + from + ") must be before to (" + to + ")");
    }
    return new TraceFilter(service, from, to, limit);
  }

  static String service(String raw) {
    if (raw == null) {
      return null;
    }
    if (raw.length() > MAX_SERVICE_LENGTH || raw.chars().anyMatch(Character::isISOControl)) {
      throw ApiProblem.badRequest(
          "service must be at most "
              + MAX_SERVICE_LENGTH
              + " printable characters, got '"
              + QueryParameters.excerpt(raw)
              + "'");
    }
    return raw;
  }

  /** ISO-8601 with an offset ({@code 2024-05-01T12:00:00Z}, {@code ...+02:00}) or epoch millis. */
  static Instant instant(String name, String raw) {
    if (raw == null) {
      return null;
    }
    if (EPOCH_MILLIS.matcher(raw).matches()) {
      return Instant.ofEpochMilli(Long.parseLong(raw));
    }
    try {
      return OffsetDateTime.parse(raw, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException notIso) {
      throw ApiProblem.badRequest(
          name
              + " must be an ISO-8601 instant such as 2024-05-01T12:00:00Z or epoch milliseconds,"
              + " got '"
              + QueryParameters.excerpt(raw)
              + "'");
    }
  }

  static int limit(String raw, int defaultLimit, int maxLimit) {
    if (raw == null) {
      return defaultLimit;
    }
    int limit = DIGITS.matcher(raw).matches() ? Integer.parseInt(raw) : -1;
    if (limit < 1 || limit > maxLimit) {
      throw ApiProblem.badRequest(
          "limit must be an integer between 1 and "
              + maxLimit
              + ", got '"
              + QueryParameters.excerpt(raw)
              + "'");
    }
    return limit;
  }
}
