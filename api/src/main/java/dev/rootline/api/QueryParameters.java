package dev.rootline.api;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.List;

/** Query-string checks shared by the validation steps: decoding, allowed names, single values. */
final class QueryParameters {

  private static final int EXCERPT_LENGTH = 64;

  private QueryParameters() {}

  /** The decoded query parameters, or a 400 when the query string is not valid URL encoding. */
  static MultiMap of(RoutingContext ctx) {
    try {
      return ctx.queryParams();
    } catch (IllegalArgumentException malformed) {
      throw ApiProblem.badRequest("malformed query string: " + malformed.getMessage());
    }
  }

  /** Refuses a parameter this route does not know, so a typo never silently widens a query. */
  static void requireOnly(MultiMap params, Collection<String> allowed) {
    for (String name : params.names()) {
      if (!allowed.contains(name)) {
        throw ApiProblem.badRequest(
            "unknown query parameter '"
                + excerpt(name)
                + "'"
                + (allowed.isEmpty() ? "; this route takes none" : "; allowed: " + String.join(", ", allowed)));
      }
    }
  }

  /** The one value of {@code name}, null when absent or empty; a 400 when given more than once. */
  static String single(MultiMap params, String name) {
    List<String> values = params.getAll(name);
    if (values.size() > 1) {
      throw ApiProblem.badRequest(
          "query parameter '" + name + "' given " + values.size() + " times; give it once");
    }
    return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
  }

  /** A client value quoted back in an error, cut so a huge parameter cannot bloat the answer. */
  static String excerpt(String raw) {
    return excerpt(raw, EXCERPT_LENGTH);
  }

  static String excerpt(String raw, int maxLength) {
    return raw.length() <= maxLength ? raw : raw.substring(0, maxLength) + "...";
  }
}
