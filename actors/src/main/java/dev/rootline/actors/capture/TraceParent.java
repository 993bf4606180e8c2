package dev.rootline.actors.capture;

/**
 * A W3C trace-context {@code traceparent} header: {@code version-traceid-parentid-flags}.
 *
 * @param traceId 32 lowercase hex chars, not all zero
 * @param parentSpanId 16 lowercase hex chars, not all zero
 */
record TraceParent(String traceId, String parentSpanId) {

  /** Parses a header value; null when it is absent or not a valid traceparent. */
  static TraceParent parse(String value) {
    if (value == null) {
      return null;
    }
    String v = value.trim();
    // Version 00 is exactly 55 chars; later versions may append "-..." fields.
    if (v.length() < 55 || (v.length() > 55 && v.charAt(55) != '-')) {
      return null;
    }
    if (v.charAt(2) != '-' || v.charAt(35) != '-' || v.charAt(52) != '-') {
      return null;
    }
    String version = v.substring(0, 2);
    String traceId = v.substring(3, 35);
    String parentId = v.substring(36, 52);
    String flags = v.substring(53, 55);
    if (!isLowerHex(version) || version.equals("ff") || !isLowerHex(flags)) {
      return null;
    }
    if (version.equals("00") && v.length() != 55) {
      return null;
    }
    if (!isLowerHex(traceId) || isAllZero(traceId) || !isLowerHex(parentId) || isAllZero(parentId)) {
      return null;
    }
    return new TraceParent(traceId, parentId);
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAllZero(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }
}
