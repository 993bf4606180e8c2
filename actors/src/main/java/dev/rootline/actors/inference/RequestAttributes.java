package dev.rootline.actors.inference;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attribute values of a request that may explain a failure: id-like path segments, query
 * parameters, selected headers and flat JSON fields of the payload excerpt. Values are cut short
 * and credentials never taken, so a candidate names a kind of request without leaking a secret.
 */
public final class RequestAttributes {

  static final int MAX_VALUE_CHARS = 40;
  private static final Set<String> SECRET_HEADERS =
      Set.of("authorization", "cookie", "set-cookie", "proxy-authorization", "x-api-key");
  // Headers that vary per request by nature: counting them only fills the counters.
  private static final Set<String> NOISY_HEADERS =
      Set.of("host", "content-length", "date", "traceparent", "tracestate", "connection",
          "accept-encoding", "x-request-id");
  private static final Pattern JSON_FIELD =
      Pattern.compile("\"([A-Za-z_][A-Za-z0-9_.-]{0,30})\"\\s*:\\s*(\"([^\"\\\\]{0,40})\"|-?\\d{1,18}|true|false)");
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(pass|secret|token|key|auth).*");

  private RequestAttributes() {}

  /** "name=value" pairs, at most {@code max}, in a stable order. */
  public static List<String> of(Span span, int max) {
    List<String> out = new ArrayList<>();
    if (max <= 0) {
      return out;
    }
    String path = span.path() == null ? "" : span.path();
    int q = path.indexOf('?');
    String bare = q >= 0 ? path.substring(0, q) : path;
    String[] segments = bare.split("/");
    String[] template = dev.rootline.actors.trace.Endpoint.template(bare).split("/");
    for (int i = 0; i < segments.length && i < template.length && out.size() < max; i++) {
      if ("{id}".equals(template[i]) && !segments[i].isEmpty()) {
        add(out, "path[" + i + "]", segments[i], max);
      }
    }
    if (q >= 0) {
      for (String pair : path.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          add(out, "query." + pair.substring(0, eq), pair.substring(eq + 1), max);
        }
      }
    }
    String excerpt = span.requestExcerpt();
    if (excerpt != null && !excerpt.isEmpty()) {
      int bodyAt = excerpt.indexOf("\r\n\r\n");
      String head = bodyAt >= 0 ? excerpt.substring(0, bodyAt) : excerpt;
      String[] lines = head.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
          if (!SECRET_HEADERS.contains(name) && !NOISY_HEADERS.contains(name)) {
            add(out, "header." + name, lines[i].substring(colon + 1).trim(), max);
          }
        }
      }
      if (bodyAt >= 0) {
        Matcher m = JSON_FIELD.matcher(excerpt.substring(bodyAt + 4));
        while (m.find() && out.size() < max) {
          String value = m.group(3) != null ? m.group(3) : m.group(2);
          add(out, "body." + m.group(1), value, max);
        }
      }
    }
    return out;
  }

  private static void add(List<String> out, String name, String value, int max) {
    if (out.size() >= max || SECRET_NAME.matcher(name).matches() || value.isEmpty()) {
      return;
    }
    String v = value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value;
    out.add(name + "=" + v);
  }
}
