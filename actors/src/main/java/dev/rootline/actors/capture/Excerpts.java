package dev.rootline.actors.capture;

/** Turns captured bytes into text a person can read and any JSON/CBOR encoder accepts. */
final class Excerpts {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Reused between calls: one instance per (single-threaded) assembler. */
  private char[] scratch = new char[1024];

  /**
   * Printable ASCII stays as is; CR, LF, TAB and backslash become {@code \r \n \t \\}; every
   * other byte becomes {@code \xHH}. Bytes are not decoded as UTF-8 on purpose: a payload cut in
   * the middle of a character must not turn into replacement characters or throw.
   */
  String escape(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return "";
    }
    if (scratch.length < bytes.length * 4) {
      scratch = new char[bytes.length * 4];
    }
    char[] out = scratch;
    int n = 0;
    for (byte raw : bytes) {
      int b = raw & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        out[n++] = (char) b;
        continue;
      }
      out[n++] = '\\';
      switch (b) {
        case '\r' -> out[n++] = 'r';
        case '\n' -> out[n++] = 'n';
        case '\t' -> out[n++] = 't';
        case '\\' -> out[n++] = '\\';
        default -> {
          out[n++] = 'x';
          out[n++] = HEX[b >> 4];
          out[n++] = HEX[b & 0xf];
        }
      }
    }
    return new String(out, 0, n);
  }
}
