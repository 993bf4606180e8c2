package dev.rootline.actors.trace;

import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules that come before any model: a server error (5xx) or a connection error (reset, closed
 * before the response, timeout) anywhere in a trace means it is always retained.
 */
public final class FailureRules {

  /** Reasons beyond this are summarised: a trace of 1000 failing spans needs no 1000 lines. */
  static final int MAX_REASONS = 10;

  private FailureRules() {}

  /** Why this trace must be retained, in words, one line per distinct failure; empty if none. */
  public static List<String> reasons(List<Span> spans) {
    Set<String> reasons = new LinkedHashSet<>();
    for (Span s : spans) {
      if (s.status() >= 500) {
        reasons.add("status " + s.status() + " from " + where(s));
      }
      if (s.error() != null) {
        reasons.add(s.error() + " at " + where(s));
      }
    }
    if (reasons.size() <= MAX_REASONS) {
      return List.copyOf(reasons);
    }
    List<String> shown = new ArrayList<>(reasons).subList(0, MAX_REASONS);
    List<String> out = new ArrayList<>(shown);
    out.add("and " + (reasons.size() - MAX_REASONS) + " more failures");
    return List.copyOf(out);
  }

  /** "python3:8082 GET /fail" (query stripped: it may carry secrets and is no part of the where). */
  static String where(Span s) {
    String path = s.path() == null ? "/" : s.path();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    return s.service() + " " + s.method() + " " + path;
  }
}
