package dev.rootline.actors.capture;

/** Turns captured bytes into text a person can read and any JSON/CBOR encoder accepts. */
final class Excerpts {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Excerpts() {}

  /**
   * Printable ASCII stays as is; CR, LF, TAB and backslash become {@code \r \n \t \\}; every
   * other byte becomes {@code \xHH}. Bytes are not decoded as UTF-8 on purpose: a payload cut in
   * the middle of a character must not turn into replacement characters or throw.
   */
  static String escape(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte raw : bytes) {
      int b = raw & 0xff;
      switch (b) {
        case '\r' -> out.append("\\r");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (b >= 0x20 && b < 0x7f) {
            out.append((char) b);
          } else {
            out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
          }
        }
      }
    }
    return out.toString();
  }
}
