package dev.rootline.actors.trace;

import dev.rootline.persistence.PathTemplate;
import dev.rootline.persistence.Span;

/**
 * The endpoint a trace belongs to: its root span's service, method and path template
 * ("python3:8080 GET /cart/{id}"). Query strings are stripped and id-like segments replaced, so
 * that one endpoint has one baseline however many users and objects it serves.
 */
public final class Endpoint {

  /** Path templates longer than this are cut: a key must stay small whatever the wire sent. */
  static final int MAX_PATH_CHARS = PathTemplate.MAX_PATH_CHARS;

  private Endpoint() {}

  /** The endpoint key of a trace whose root span is {@code root}. */
  public static String of(Span root) {
    String method = root.method() == null || root.method().isBlank() ? "?" : root.method();
    return root.service() + " " + method + " " + template(root.path());
  }

  /** "/cart/42?x=1" becomes "/cart/{id}" ({@link PathTemplate}). */
  public static String template(String path) {
    return PathTemplate.of(path);
  }
}
