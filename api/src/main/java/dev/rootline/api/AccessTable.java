package dev.rootline.api;

import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * Which role each route needs: the one table of the API's access control. The first rule whose
 * method and path match decides. Paths are the router's normalized paths, split at "/"; {@code *}
 * is one non-empty segment, a trailing {@code **} any number of segments (none included).
 *
 * <p>A request no rule matches needs {@code admin}: a route added to the router without a rule
 * here is closed to lower roles, never open to them, and an odd spelling of a path (a trailing
 * slash, an empty segment) can only need more, never less.
 */
final class AccessTable {

  /** What a request needs: nothing ({@link Public}) or a token of at least a role. */
  sealed interface Access {}

  /** No token needed: the UI's static files and the health probe hold no data. */
  record Public() implements Access {}

  /** A token whose role includes {@code role}; {@code route} names the rule in a 403. */
  record Needs(ApiRole role, String route) implements Access {}

  private record Rule(List<HttpMethod> methods, String pattern, Access access) {
    boolean matches(HttpMethod method, String[] path) {
      return methods.contains(method) && AccessTable.matches(pattern.split("/", -1), path);
    }
  }

  private static final List<HttpMethod> READ = List.of(HttpMethod.GET, HttpMethod.HEAD);

  static final List<Rule> RULES =
      List.of(
          open(READ, "/"), // redirects to /ui/
          open(READ, "/ui/**"), // static files of the web UI; it asks for a token itself
          open(READ, "/api/v1/health"), // liveness probe for scripts and load balancers
          needs(HttpMethod.POST, "/api/v1/issues/*/feedback", ApiRole.OPERATOR),
          needs(HttpMethod.POST, "/api/v1/feedback/missed-anomaly", ApiRole.OPERATOR),
          needs(HttpMethod.PUT, "/api/v1/policies/*", ApiRole.ADMIN),
          needs(HttpMethod.PATCH, "/api/v1/policies/*", ApiRole.ADMIN),
          needs(HttpMethod.POST, "/api/v1/policies/*/revert", ApiRole.ADMIN),
          needs(HttpMethod.POST, "/api/v1/models/*/rollback", ApiRole.ADMIN),
          // every read: traces, issues, stats, cluster, models, policies, the stream, whoami
          new Rule(READ, "/**", new Needs(ApiRole.VIEWER, "GET")));

  private static final Needs UNLISTED = new Needs(ApiRole.ADMIN, "a method or path with no rule");

  private AccessTable() {}

  /** What {@code method} on {@code normalizedPath} needs. */
  static Access required(HttpMethod method, String normalizedPath) {
    String[] path = (normalizedPath == null ? "/" : normalizedPath).split("/", -1);
    for (Rule rule : RULES) {
      if (rule.matches(method, path)) {
        return rule.access();
      }
    }
    return UNLISTED;
  }

  private static Rule open(List<HttpMethod> methods, String pattern) {
    return new Rule(methods, pattern, new Public());
  }

  private static Rule needs(HttpMethod method, String pattern, ApiRole role) {
    return new Rule(List.of(method), pattern, new Needs(role, method.name() + " " + pattern));
  }

  /**
   * Segment-wise match. Both arrays come from splitting an absolute path at "/", so both start
   * with the empty segment before the first slash; "/" itself is {"", ""}.
   */
  static boolean matches(String[] pattern, String[] path) {
    int p = 0;
    int s = 0;
    while (p < pattern.length) {
      String want = pattern[p];
      if (want.equals("**") && p == pattern.length - 1) {
        return true; // the rest, whatever it is
      }
      if (s >= path.length) {
        return false;
      }
      String got = path[s];
      if (want.equals("*") ? got.isEmpty() : !want.equals(got)) {
        return false;
      }
      p++;
      s++;
    }
    return s == path.length;
  }
}
