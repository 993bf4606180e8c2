package dev.rootline.actors.capture;

import java.nio.charset.StandardCharsets;

/**
 * Cheap sniffing of whether a read or write begins an HTTP/1.x message. Used to classify
 * connections that were open before capture started and to resynchronise a stream after bytes
 * were lost; syscalls almost always start at message boundaries, so a match is a good guess.
 */
final class HttpStarts {

  private static final byte[][] METHODS = {
    ascii("GET "), ascii("POST "), ascii("PUT "), ascii("DELETE "), ascii("HEAD "),
    ascii("OPTIONS "), ascii("PATCH "), ascii("TRACE "), ascii("CONNECT ")
  };
  private static final byte[] HTTP1 = ascii("HTTP/1.");

  private HttpStarts() {}

  static boolean looksLikeStart(Http1Parser.Mode mode, byte[] data, int offset, int length) {
    return mode == Http1Parser.Mode.REQUEST
        ? looksLikeRequest(data, offset, length)
        : looksLikeResponse(data, offset, length);
  }

  /** "METHOD SP target-char": a known method, one space, then a visible character. */
  static boolean looksLikeRequest(byte[] data, int offset, int length) {
    for (byte[] method : METHODS) {
      if (length > method.length && startsWith(data, offset, length, method)) {
        byte next = data[offset + method.length];
        return next > 0x20 && next != 0x7f;
      }
    }
    return false;
  }

  /** "HTTP/1.d ddd". */
  static boolean looksLikeResponse(byte[] data, int offset, int length) {
    if (length < 12 || !startsWith(data, offset, length, HTTP1)) {
      return false;
    }
    return isDigit(data[offset + 7])
        && data[offset + 8] == ' '
        && isDigit(data[offset + 9])
        && isDigit(data[offset + 10])
        && isDigit(data[offset + 11]);
  }

  private static boolean startsWith(byte[] data, int offset, int length, byte[] prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[offset + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
