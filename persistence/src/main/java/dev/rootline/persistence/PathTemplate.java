package dev.rootline.persistence;

import java.util.regex.Pattern;

/**
 * The path template of a request target: query and fragment stripped, id-like segments (numbers,
 * UUIDs, long hex) replaced by {@code {id}}, so one endpoint is one name however many objects it
 * serves ("/cart/42?x=1" → "/cart/{id}"). Baselines, issues and endpoint policy scopes all use it.
 */
public final class PathTemplate {

  /** Templates longer than this are cut: a key must stay small whatever the wire sent. */
  public static final int MAX_PATH_CHARS = 200;

  private static final Pattern NUMERIC = Pattern.compile("\\d+");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  // Long hex strings with at least one digit: object ids, hashes, tokens.
  private static final Pattern HEX_ID = Pattern.compile("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{12,}");

  private PathTemplate() {}

  public static String of(String path) {
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
