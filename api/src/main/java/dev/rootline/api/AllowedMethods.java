package dev.rootline.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code Allow} header of a 405: the methods the router has routes for on the requested
 * path, read from the routes themselves so it cannot drift from them ({@code :param} segments match
 * any one segment).
 */
final class AllowedMethods {

  private final String prefix;
  private final Router router;

  /** {@code router} is mounted at {@code prefix} (e.g. {@code /api/v1}). */
  AllowedMethods(String prefix, Router router) {
    this.prefix = prefix;
    this.router = router;
  }

  /** "GET, POST"-style list for {@code normalizedPath}; empty when no route has the path. */
  String allowFor(String normalizedPath) {
    if (normalizedPath == null || !normalizedPath.startsWith(prefix + "/")) {
      return "";
    }
    String[] path = normalizedPath.substring(prefix.length()).split("/", -1);
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      String[] pattern = route.getPath().replaceAll(":[^/]+", "*").split("/", -1);
      if (AccessTable.matches(pattern, path)) {
        route.methods().stream().map(HttpMethod::name).forEach(methods::add);
      }
    }
    return String.join(", ", methods);
  }
}
