package dev.rootline.actors.capture;

/**
 * Bounds one {@link Http1Parser} keeps to.
 *
 * @param maxHeaderBytes a message head (start line + headers) larger than this is a parse error
 * @param maxHeaderCount more header lines than this is a parse error
 * @param excerptBytes how many leading bytes of each message are kept for its excerpt
 */
public record HttpLimits(int maxHeaderBytes, int maxHeaderCount, int excerptBytes) {

  public HttpLimits {
    if (maxHeaderBytes < 64) {
      throw new IllegalArgumentException("maxHeaderBytes must be >= 64, was " + maxHeaderBytes);
    }
    if (maxHeaderCount < 1) {
      throw new IllegalArgumentException("maxHeaderCount must be >= 1, was " + maxHeaderCount);
    }
    if (excerptBytes < 0) {
      throw new IllegalArgumentException("excerptBytes must be >= 0, was " + excerptBytes);
    }
  }

  public static HttpLimits defaults() {
    return new HttpLimits(16 * 1024, 128, 256);
  }
}
