package dev.rootline.api;

import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssueSummary;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code service}, {@code status}, {@code limit} and {@code offset} of {@code GET
 * /api/v1/issues} into an {@link IssueFilter}, or refuses with a 400 naming the parameter, the
 * accepted form and the value received. An empty value means "not given".
 */
final class IssueFilterParameters {

  static final List<String> NAMES = List.of("service", "status", "limit", "offset");

  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");

  private IssueFilterParameters() {}

  static IssueFilter parse(MultiMap params, int defaultLimit, int maxLimit) {
    QueryParameters.requireOnly(params, NAMES);
    String service = TraceFilterParameters.service(QueryParameters.single(params, "service"));
    String status = status(QueryParameters.single(params, "status"));
    int limit = TraceFilterParameters.limit(QueryParameters.single(params, "limit"), defaultLimit, maxLimit);
    int offset = offset(QueryParameters.single(params, "offset"));
    return new IssueFilter(service, status, limit, offset);
  }

  private static String status(String raw) {
    if (raw == null || IssueSummary.STATUSES.contains(raw)) {
      return raw;
    }
    throw ApiProblem.badRequest(
        "status must be one of " + String.join(", ", IssueSummary.STATUSES) + ", got '"
            + QueryParameters.excerpt(raw) + "'");
  }

  private static int offset(String raw) {
    if (raw == null) {
      return 0;
    }
    int offset = DIGITS.matcher(raw).matches() ? Integer.parseInt(raw) : -1;
    if (offset < 0 || offset > IssueFilter.MAX_OFFSET) {
      throw ApiProblem.badRequest(
          "offset must be an integer between 0 and " + IssueFilter.MAX_OFFSET + ", got '"
              + QueryParameters.excerpt(raw) + "'");
    }
    return offset;
  }
}
