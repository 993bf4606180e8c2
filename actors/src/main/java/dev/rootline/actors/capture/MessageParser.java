package dev.rootline.actors.capture;

/**
 * One direction of a connection turned into messages: what {@link ConnectionStream} needs of a
 * protocol parser ({@link Http1Parser}, {@link RespParser}). Parsers report through an {@link
 * Http1Parser.Listener}; a non-HTTP protocol maps its requests and replies onto {@link HttpHead}
 * (method and target; status 200, or 500 for an error reply).
 */
interface MessageParser {

  /** One syscall's bytes: {@code length} captured of {@code wireLength} moved. */
  void feed(byte[] data, int offset, int length, long wireLength, long startNanos, long endNanos);

  /** The peer shut its side or the connection closed. */
  void endOfStream();

  /** Something proves an open (unframed) message is over. */
  void endOpenMessage();

  /** Ignore everything from now on. */
  void stop();

  boolean hasOpenMessage();

  int bufferedBytes();
}
