package dev.rootline.actors.trace;

import dev.rootline.persistence.Span;
import java.util.regex.Pattern;

/**
 * The endpoint a trace belongs to: its root span's service, method and path template
 * ("python3:8080 GET /cart/{id}"). Query strings are stripped and id-like segments replaced, so
 * that one endpoint has one baseline however many users and objects it serves.
 */
public final class Endpoint {

  /** Path templates longer than this are cut: a key must stay small whatever the wire sent. */
  static final int MAX_PATH_CHARS = 200;

  private static final Pattern NUMERIC = Pattern.compile("\\d+");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  // Long hex strings with at least one digit: object ids, hashes, tokens.
  private static final Pattern HEX_ID = Pattern.compile("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{12,}");

  private Endpoint() {}

  /** The endpoint key of a trace whose root span is {@code root}. */
  public static String of(Span root) {
    String method = root.method() == null || root.method().isBlank() ? "?" : root.method();
    return root.service() + " " + method + " " + template(root.path());
  }

  /** "/cart/42?x=1" becomes "/cart/{id}". */
  public static String template(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    int cut = path.length();
    int q = path.indexOf('?');
    if (q >= 0) {
      cut = q;
    }
    int h = path.indexOf('#');
    if (h >= 0 && h < cut) {
      cut = h;
    }
    String bare = path.substring(0, cut);
    String[] segments = bare.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (isId(segments[i])) {
        segments[i] = "{id}";
      }
    }
    String template = bare.isEmpty() ? "/" : String.join("/", segments);
    return template.length() > MAX_PATH_CHARS ? template.substring(0, MAX_PATH_CHARS) : template;
  }

  private static boolean isId(String segment) {
    return !segment.isEmpty()
        && (NUMERIC.matcher(segment).matches()
            || UUID.matcher(segment).matches()
            || HEX_ID.matcher(segment).matches());
  }
}
