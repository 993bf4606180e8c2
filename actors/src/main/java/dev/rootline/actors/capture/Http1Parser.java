package dev.rootline.actors.capture;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Incremental HTTP/1.x parser for one direction of one connection: requests (REQUEST mode) or
 * responses (RESPONSE mode), fed one syscall's bytes at a time.
 *
 * <p>It handles messages split across any number of reads (down to a byte each), keep-alive and
 * pipelining, Content-Length and chunked bodies (counted and skipped, only the first bytes are
 * kept for an excerpt) and responses delimited by the connection closing.
 *
 * <p>Captured payloads may be shorter than what the syscall moved. Missing body bytes are skipped
 * by count. When the missing bytes cut a head, the parser keeps what it saw (start line, the
 * complete header lines) and infers the framing from syscall boundaries: a message that then has
 * no known end is "open" and ends at the next syscall that starts a message, or when the owner
 * ends it ({@link #endOpenMessage()}). When even that is impossible the parser loses sync and
 * waits for a syscall that starts a message.
 *
 * <p>Bytes that are not HTTP/1.x on a stream the parser was synced on make it give up for good
 * ({@link Listener#onError}); it then ignores everything. Nothing thrown while parsing escapes;
 * buffering is bounded by {@link HttpLimits}.
 */
public final class Http1Parser implements MessageParser {

  public enum Mode {
    REQUEST,
    RESPONSE
  }

  /** Callbacks, in order per message: start, then head (unless lost), then end. */
  public interface Listener {
    /** The first byte of a new message is in the bytes being fed. */
    void onMessageStart();

    /** The message's head was parsed (possibly a cut one, see {@link HttpHead#cut()}). */
    void onHead(HttpHead head);

    /** The message ended; {@code message.head()} is null when its start line was lost. */
    void onMessageEnd(HttpMessage message);

    /** The stream is not HTTP/1.x (or broke a limit); nothing more will be reported. */
    void onError(String reason);

    /** The method of the request the response being parsed answers (HEAD and CONNECT matter). */
    default String requestMethodForResponse() {
      return "GET";
    }
  }

  private enum State {
    IDLE,
    HEAD,
    BODY_LENGTH,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS,
    BODY_UNTIL_CLOSE,
    BODY_OPEN,
    SYNC_LOST,
    STOPPED,
    BROKEN
  }

  /** A chunk-size line (hex size plus extensions) longer than this is not HTTP. */
  private static final int MAX_CHUNK_LINE = 1024;

  private static final int INITIAL_HEAD_BUFFER = 512;
  private static final byte[] HTTP1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRACEPARENT = "traceparent".getBytes(StandardCharsets.US_ASCII);

  private final Mode mode;
  private final HttpLimits limits;
  private final Listener listener;

  private State state;
  /** Parsing after a guess (resync, cut head): a failure means "wrong guess", not "not HTTP". */
  private boolean tentative;
  private long errors;
  private long headsCut;
  private String errorReason;

  // The times of the syscall being fed.
  private long feedStart;
  private long feedEnd;

  // The message being parsed.
  private boolean inMessage;
  private HttpHead currentHead;
  private long wireBytes;
  private long firstStart;
  private long firstEnd;
  private long lastEnd;
  private byte[] excerpt;
  private int excerptLen;
  /** Framing came from a cut head: a framing error falls back to an open message. */
  private boolean guessedFraming;
  private long remaining;

  // Head accumulation and incremental validation.
  private byte[] head;
  private int headLen;
  private int startLineEnd = -1;
  private int startPhase;
  private int phasePos;
  private int lineLen;

  // Chunk-size lines and trailers.
  private byte[] line;
  private int lineBufLen;
  private boolean chunkCrSeen;
  private int trailerBytes;

  /**
   * @param synced true on a stream seen from its first byte (ACCEPT/CONNECT): anything that is not
   *     HTTP is an error. False for a stream joined midway: the parser waits for a syscall that
   *     starts a message.
   */
  public Http1Parser(Mode mode, HttpLimits limits, Listener listener, boolean synced) {
    this.mode = mode;
    this.limits = limits;
    this.listener = listener;
    this.state = synced ? State.IDLE : State.SYNC_LOST;
  }

  public Mode mode() {
    return mode;
  }

  /** Non-HTTP bytes or broken limits seen on a synced stream (0 or 1: the parser then stops). */
  public long errors() {
    return errors;
  }

  /** Heads the payload limit cut. */
  public long headsCut() {
    return headsCut;
  }

  /** Why the parser gave up, or null. */
  public String errorReason() {
    return errorReason;
  }

  public boolean isBroken() {
    return state == State.BROKEN;
  }

  public boolean isStopped() {
    return state == State.STOPPED;
  }

  /** A message whose end is only known once something else happens (see class comment). */
  public boolean hasOpenMessage() {
    return state == State.BODY_OPEN;
  }

  /** Bytes this parser holds in buffers now. */
  public int bufferedBytes() {
    return (head == null ? 0 : head.length)
        + (line == null ? 0 : line.length)
        + (excerpt == null ? 0 : excerpt.length);
  }

  /**
   * Feeds one syscall's bytes.
   *
   * @param data captured bytes
   * @param offset where they start in {@code data}
   * @param length how many were captured
   * @param wireLength how many the syscall moved ({@code >= length}; the difference was not
   *     captured)
   * @param startNanos syscall entry time
   * @param endNanos syscall exit time
   */
  public void feed(
      byte[] data, int offset, int length, long wireLength, long startNanos, long endNanos) {
    if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
      return;
    }
    feedStart = startNanos;
    feedEnd = endNanos;
    long missing = Math.max(0, wireLength - length);
    switch (state) {
      case BROKEN, STOPPED -> {
        return;
      }
      case SYNC_LOST -> {
        if (!HttpStarts.looksLikeStart(mode, data, offset, length)) {
          return;
        }
        state = State.IDLE;
        tentative = true;
      }
      case BODY_OPEN -> {
        if (HttpStarts.looksLikeStart(mode, data, offset, length)) {
          endMessage(true);
        }
      }
      default -> {}
    }
    int i = offset;
    int end = offset + length;
    while (i < end) {
      switch (state) {
        case IDLE -> {
          byte b = data[i];
          if (b == '\r' || b == '\n') {
            i++; // stray line breaks between messages are allowed
          } else {
            beginMessage();
          }
        }
        case HEAD -> i = consumeHead(data, i, end);
        case BODY_LENGTH, CHUNK_DATA -> {
          int n = (int) Math.min(remaining, end - i);
          consumeBody(data, i, n);
          i += n;
          remaining -= n;
          if (remaining == 0) {
            if (state == State.BODY_LENGTH) {
              endMessage(guessedFraming);
            } else {
              state = State.CHUNK_DATA_END;
              chunkCrSeen = false;
            }
          }
        }
        case CHUNK_DATA_END -> i = consumeChunkDataEnd(data, i);
        case CHUNK_SIZE, TRAILERS -> i = consumeLine(data, i, end);
        case BODY_UNTIL_CLOSE, BODY_OPEN -> {
          consumeBody(data, i, end - i);
          i = end;
        }
        case SYNC_LOST, STOPPED, BROKEN -> i = end;
      }
    }
    if (missing > 0) {
      skipMissing(missing);
    }
  }

  /**
   * The connection closed or the peer shut its side: a message delimited by the close ends now. A
   * message whose head was seen but whose Content-Length or chunked body was cut short still ends,
   * marked {@link HttpMessage#cutShort()}: its head went over the wire (a client that stops reading
   * after the head has its status). A message cut inside its head is dropped.
   */
  public void endOfStream() {
    switch (state) {
      case BODY_UNTIL_CLOSE -> endMessage(false);
      case BODY_OPEN -> endMessage(true);
      case BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS -> {
        if (currentHead != null) {
          endMessage(true, true);
        } else {
          resetMessage();
        }
      }
      case BROKEN, STOPPED -> {
        return;
      }
      default -> resetMessage();
    }
    state = State.IDLE;
  }

  /** Something proves an open message is over (e.g. the other direction started talking). */
  public void endOpenMessage() {
    if (state == State.BODY_OPEN) {
      endMessage(true);
    }
  }

  /**
   * Ignore everything from now on: the connection switched protocols (101, a CONNECT tunnel) or
   * its owner gave up on it. Frees the buffers.
   */
  public void stop() {
    if (state != State.BROKEN) {
      resetMessage();
      releaseBuffers();
      state = State.STOPPED;
    }
  }

  // ---- message life cycle ----

  private void beginMessage() {
    inMessage = true;
    currentHead = null;
    wireBytes = 0;
    firstStart = feedStart;
    firstEnd = feedEnd;
    lastEnd = feedEnd;
    excerptLen = 0;
    guessedFraming = false;
    headLen = 0;
    startLineEnd = -1;
    startPhase = 0;
    phasePos = 0;
    lineLen = 0;
    state = State.HEAD;
    listener.onMessageStart();
  }

  private void endMessage(boolean inferred) {
    endMessage(inferred, false);
  }

  private void endMessage(boolean inferred, boolean cutShort) {
    HttpMessage message =
        new HttpMessage(
            currentHead,
            wireBytes,
            Arrays.copyOf(excerpt == null ? new byte[0] : excerpt, excerptLen),
            firstStart,
            firstEnd,
            lastEnd,
            inferred,
            cutShort);
    resetMessage();
    state = State.IDLE;
    listener.onMessageEnd(message);
  }

  private void resetMessage() {
    inMessage = false;
    currentHead = null;
    // The message went out as a copy (masked before its span leaves): no raw bytes stay behind.
    if (excerpt != null) {
      Arrays.fill(excerpt, 0, Math.min(excerptLen, excerpt.length), (byte) 0);
    }
    if (head != null) {
      Arrays.fill(head, 0, Math.min(headLen, head.length), (byte) 0);
    }
    excerptLen = 0;
    headLen = 0;
    lineBufLen = 0;
    if (head != null && head.length > 4 * INITIAL_HEAD_BUFFER) {
      head = null; // a big head was a one-off: give the memory back
    }
  }

  private void releaseBuffers() {
    head = null;
    line = null;
    excerpt = null;
  }

  private void touch(long bytes) {
    wireBytes += bytes;
    lastEnd = feedEnd;
  }

  private void keepForExcerpt(byte[] data, int from, int n) {
    int room = limits.excerptBytes() - excerptLen;
    if (room <= 0 || n <= 0) {
      return;
    }
    if (excerpt == null) {
      excerpt = new byte[limits.excerptBytes()];
    }
    int k = Math.min(room, n);
    System.arraycopy(data, from, excerpt, excerptLen, k);
    excerptLen += k;
  }

  private void consumeBody(byte[] data, int from, int n) {
    keepForExcerpt(data, from, n);
    touch(n);
  }

  // ---- head ----

  private int consumeHead(byte[] data, int i, int end) {
    int start = i;
    boolean counted = false;
    try {
      while (i < end) {
        byte b = data[i++];
        appendHead(b);
        if (startLineEnd < 0) {
          if (validateStartLine(b)) {
            startLineEnd = headLen;
            lineLen = 0;
          }
        } else if (b == '\n') {
          if (lineLen == 0) {
            keepForExcerpt(data, start, i - start);
            touch(i - start);
            counted = true;
            headComplete();
            return i;
          }
          lineLen = 0;
        } else if (b != '\r') {
          if (!isHeaderByte(b)) {
            throw new ParseFailure("control byte 0x" + Integer.toHexString(b & 0xff) + " in headers");
          }
          lineLen++;
        }
      }
      keepForExcerpt(data, start, i - start);
      touch(i - start);
      return i;
    } catch (ParseFailure e) {
      if (!counted) {
        keepForExcerpt(data, start, i - start);
        touch(i - start);
      }
      return fail(e.getMessage(), data, i, end);
    }
  }

  private void appendHead(byte b) throws ParseFailure {
    if (headLen >= limits.maxHeaderBytes()) {
      throw new ParseFailure("head larger than " + limits.maxHeaderBytes() + " bytes");
    }
    if (head == null) {
      head = new byte[Math.min(INITIAL_HEAD_BUFFER, limits.maxHeaderBytes())];
    } else if (headLen == head.length) {
      head = Arrays.copyOf(head, Math.min(head.length * 2, limits.maxHeaderBytes()));
    }
    head[headLen++] = b;
  }

  /**
   * Checks one start-line byte as it arrives, so garbage fails within a few bytes instead of
   * filling the head buffer. Returns true on the line feed that ends a valid start line.
   */
  private boolean validateStartLine(byte b) throws ParseFailure {
    return mode == Mode.REQUEST ? validateRequestLine(b) : validateStatusLine(b);
  }

  // Request line phases: 0 method, 1 first target byte, 2 target, 3 version, 4 CR/LF, 5 LF.
  private boolean validateRequestLine(byte b) throws ParseFailure {
    switch (startPhase) {
      case 0 -> {
        if (b == ' ' && phasePos > 0) {
          startPhase = 1;
        } else if (isMethodByte(b) && phasePos < 24) {
          phasePos++;
        } else {
          throw new ParseFailure("not an HTTP/1.x request line");
        }
      }
      case 1 -> {
        if (b <= 0x20 || b == 0x7f) {
          throw new ParseFailure("bad request target");
        }
        startPhase = 2;
      }
      case 2 -> {
        if (b == ' ') {
          startPhase = 3;
          phasePos = 0;
        } else if (b == '\r' || b == '\n') {
          throw new ParseFailure("HTTP/0.9 request line (no version)");
        } else if ((b >= 0 && b < 0x20) || b == 0x7f) {
          throw new ParseFailure("control byte in request target");
        }
      }
      case 3 -> {
        if (phasePos < HTTP1.length ? b != HTTP1[phasePos] : !HttpStarts.isDigit(b)) {
          throw new ParseFailure("not an HTTP/1.x version");
        }
        if (++phasePos > HTTP1.length) {
          startPhase = 4;
        }
      }
      case 4 -> {
        if (b == '\n') {
          return true;
        }
        if (b != '\r') {
          throw new ParseFailure("junk after HTTP version");
        }
        startPhase = 5;
      }
      default -> {
        if (b != '\n') {
          throw new ParseFailure("CR without LF in request line");
        }
        return true;
      }
    }
    return false;
  }

  // Status line phases: 0 "HTTP/1.d ddd" by position, 1 reason phrase, 5 LF.
  private boolean validateStatusLine(byte b) throws ParseFailure {
    switch (startPhase) {
      case 0 -> {
        int p = phasePos++;
        boolean ok;
        if (p < HTTP1.length) {
          ok = b == HTTP1[p];
        } else if (p == 7 || (p >= 9 && p <= 11)) {
          ok = HttpStarts.isDigit(b);
        } else if (p == 8) {
          ok = b == ' ';
        } else { // p == 12
          if (b == '\n') {
            return true;
          }
          ok = b == ' ' || b == '\r';
          startPhase = b == '\r' ? 5 : 1;
        }
        if (!ok) {
          throw new ParseFailure("not an HTTP/1.x status line");
        }
      }
      case 1 -> {
        if (b == '\n') {
          return true;
        }
        if (b == '\r') {
          startPhase = 5;
        } else if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
          throw new ParseFailure("control byte in reason phrase");
        }
      }
      default -> {
        if (b != '\n') {
          throw new ParseFailure("CR without LF in status line");
        }
        return true;
      }
    }
    return false;
  }

  private static boolean isMethodByte(byte b) {
    return (b >= 'A' && b <= 'Z') || b == '-' || b == '_';
  }

  private static boolean isHeaderByte(byte b) {
    return b == '\t' || b < 0 || (b >= 0x20 && b != 0x7f);
  }

  private void headComplete() throws ParseFailure {
    HttpHead parsed = parseHead(false);
    tentative = false; // a whole, valid head: the stream is in sync again
    deliverHead(parsed);
    if (state != State.HEAD) {
      return; // the listener upgraded the stream
    }
    decideBody(parsed, false, 0);
  }

  private void deliverHead(HttpHead parsed) {
    currentHead = parsed;
    listener.onHead(parsed);
  }

  /**
   * Chooses how the body is framed (RFC 9112 section 6.3). For a cut head, {@code missing} is what
   * the syscall moved beyond the captured bytes and the framing is a guess (see class comment).
   */
  private void decideBody(HttpHead h, boolean cut, long missing) {
    guessedFraming = cut;
    if (mode == Mode.RESPONSE) {
      String method = listener.requestMethodForResponse();
      boolean connectOk = "CONNECT".equals(method) && h.status() >= 200 && h.status() < 300;
      if (h.status() == 101 || connectOk) {
        endMessage(cut);
        stop();
        return;
      }
      if (h.isInterim() || h.status() == 204 || h.status() == 304 || "HEAD".equals(method)) {
        endMessage(cut);
        return;
      }
    }
    if (cut) {
      if (h.contentLength() >= 0) {
        if (missing - h.contentLength() >= 1) {
          endMessage(true); // head and body both ended inside this syscall
        } else {
          startLength(h.contentLength()); // this syscall ended the head; the body follows
        }
      } else if (h.chunked()) {
        // The syscall may have carried chunks too (many servers write head and body at once):
        // chunk framing from an unknown offset is no better than syscall boundaries.
        state = State.BODY_OPEN;
      } else if (mode == Mode.REQUEST && isBodylessMethod(h.method())) {
        endMessage(true);
      } else {
        state = State.BODY_OPEN;
      }
      return;
    }
    if (h.chunked()) {
      state = State.CHUNK_SIZE;
      lineBufLen = 0;
    } else if (h.contentLength() >= 0) {
      startLength(h.contentLength());
    } else if (mode == Mode.REQUEST) {
      endMessage(false);
    } else {
      state = State.BODY_UNTIL_CLOSE;
    }
  }

  private void startLength(long length) {
    if (length == 0) {
      endMessage(guessedFraming);
    } else {
      state = State.BODY_LENGTH;
      remaining = length;
    }
  }

  private static boolean isBodylessMethod(String method) {
    return switch (method) {
      case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT" -> true;
      default -> false;
    };
  }

  /** Parses the buffered head; with {@code cut}, the last (incomplete) line is ignored. */
  private HttpHead parseHead(boolean cut) throws ParseFailure {
    int limit = headLen;
    if (cut) {
      int lastLf = -1;
      for (int k = headLen - 1; k >= 0; k--) {
        if (head[k] == '\n') {
          lastLf = k;
          break;
        }
      }
      limit = lastLf + 1;
    }
    String method = null;
    String target = null;
    int status = 0;
    int lineStart;
    if (startLineEnd > 0) {
      String startLine = ascii(0, trimEol(0, startLineEnd));
      if (mode == Mode.REQUEST) {
        int sp1 = startLine.indexOf(' ');
        int sp2 = startLine.lastIndexOf(' ');
        method = startLine.substring(0, sp1);
        target = startLine.substring(sp1 + 1, sp2);
      } else {
        status = Integer.parseInt(startLine.substring(9, 12));
      }
      lineStart = startLineEnd;
    } else if (cut && mode == Mode.REQUEST && startPhase >= 2) {
      // The start line itself was cut inside the target: keep what we have.
      String partial = ascii(0, headLen);
      int sp1 = partial.indexOf(' ');
      method = partial.substring(0, sp1);
      int sp2 = partial.indexOf(' ', sp1 + 1);
      target = sp2 < 0 ? partial.substring(sp1 + 1) : partial.substring(sp1 + 1, sp2);
      lineStart = limit = headLen;
    } else if (cut && mode == Mode.RESPONSE && (startPhase != 0 || phasePos >= 12)) {
      status = Integer.parseInt(ascii(9, 12));
      lineStart = limit = headLen;
    } else {
      return null; // the start line was lost: only good for pairing
    }

    long contentLength = -1;
    boolean chunked = false;
    boolean hasTransferEncoding = false;
    String traceparent = null;
    int count = 0;
    int k = lineStart;
    while (k < limit) {
      int lf = k;
      while (lf < limit && head[lf] != '\n') {
        lf++;
      }
      int eol = trimEol(k, Math.min(lf + 1, limit));
      if (eol > k) {
        if (head[k] == ' ' || head[k] == '\t') {
          k = lf + 1;
          continue; // obsolete line folding: a continuation of a value we do not need
        }
        if (++count > limits.maxHeaderCount()) {
          throw new ParseFailure("more than " + limits.maxHeaderCount() + " header lines");
        }
        int colon = -1;
        for (int c = k; c < eol; c++) {
          if (head[c] == ':') {
            colon = c;
            break;
          }
          if (head[c] == ' ' || head[c] == '\t') {
            break;
          }
        }
        if (colon <= k) {
          throw new ParseFailure("malformed header line");
        }
        // Only three headers matter; compare in place rather than building every name.
        if (nameIs(k, colon, CONTENT_LENGTH)) {
          long v = parseContentLength(ascii(colon + 1, eol).trim());
          if (contentLength >= 0 && contentLength != v) {
            throw new ParseFailure("conflicting Content-Length headers");
          }
          contentLength = v;
        } else if (nameIs(k, colon, TRANSFER_ENCODING)) {
          hasTransferEncoding = true;
          String codings = ascii(colon + 1, eol).trim().toLowerCase(Locale.ROOT);
          int comma = codings.lastIndexOf(',');
          chunked = codings.substring(comma + 1).trim().equals("chunked");
        } else if (nameIs(k, colon, TRACEPARENT)) {
          traceparent = ascii(colon + 1, eol).trim();
        }
      }
      k = lf + 1;
    }
    if (hasTransferEncoding) {
      if (!chunked && mode == Mode.REQUEST) {
        throw new ParseFailure("request Transfer-Encoding does not end in chunked");
      }
      contentLength = -1; // Transfer-Encoding overrides Content-Length
    }
    return new HttpHead(method, target, status, contentLength, chunked, traceparent, cut);
  }

  /** Case-insensitive match of head[from, to) against a lowercase ASCII name. */
  private boolean nameIs(int from, int to, byte[] lowerName) {
    if (to - from != lowerName.length) {
      return false;
    }
    for (int i = 0; i < lowerName.length; i++) {
      int b = head[from + i];
      if (b >= 'A' && b <= 'Z') {
        b += 'a' - 'A';
      }
      if (b != lowerName[i]) {
        return false;
      }
    }
    return true;
  }

  private static long parseContentLength(String value) throws ParseFailure {
    // "5, 5" (a repeated header folded into a list) is allowed when all values agree.
    long result = -1;
    for (String part : value.split(",", -1)) {
      String p = part.trim();
      if (p.isEmpty() || p.length() > 18) {
        throw new ParseFailure("bad Content-Length");
      }
      long v = 0;
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c < '0' || c > '9') {
          throw new ParseFailure("bad Content-Length");
        }
        v = v * 10 + (c - '0');
      }
      if (result >= 0 && result != v) {
        throw new ParseFailure("conflicting Content-Length values");
      }
      result = v;
    }
    return result;
  }

  private int trimEol(int from, int to) {
    int e = to;
    while (e > from && (head[e - 1] == '\n' || head[e - 1] == '\r')) {
      e--;
    }
    return e;
  }

  private String ascii(int from, int to) {
    return new String(head, from, to - from, StandardCharsets.ISO_8859_1);
  }

  // ---- chunked framing ----

  private int consumeChunkDataEnd(byte[] data, int i) {
    byte b = data[i];
    if (b == '\r' && !chunkCrSeen) {
      chunkCrSeen = true;
    } else if (b == '\n') {
      state = State.CHUNK_SIZE;
      lineBufLen = 0;
    } else {
      return fail("chunk data not followed by CRLF", data, i, i + 1);
    }
    consumeBody(data, i, 1);
    return i + 1;
  }

  /** A chunk-size line or a trailer line, up to its LF. */
  private int consumeLine(byte[] data, int i, int end) {
    int start = i;
    try {
      while (i < end) {
        byte b = data[i++];
        if (b == '\n') {
          consumeBody(data, start, i - start);
          lineDone();
          return i;
        }
        if (state == State.CHUNK_SIZE && lineBufLen >= MAX_CHUNK_LINE) {
          throw new ParseFailure("chunk-size line longer than " + MAX_CHUNK_LINE + " bytes");
        }
        if (state == State.TRAILERS && ++trailerBytes > limits.maxHeaderBytes()) {
          throw new ParseFailure("trailers larger than " + limits.maxHeaderBytes() + " bytes");
        }
        if (line == null) {
          line = new byte[64];
        } else if (lineBufLen == line.length) {
          line = Arrays.copyOf(line, Math.min(line.length * 2, MAX_CHUNK_LINE + 1));
        }
        if (lineBufLen < line.length) {
          line[lineBufLen++] = b; // trailers only need their length, not their text
        }
      }
      consumeBody(data, start, i - start);
      return i;
    } catch (ParseFailure e) {
      consumeBody(data, start, i - start);
      return fail(e.getMessage(), data, i, end);
    }
  }

  private void lineDone() throws ParseFailure {
    int len = lineBufLen;
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    lineBufLen = 0;
    if (state == State.TRAILERS) {
      if (len == 0) {
        endMessage(guessedFraming);
      }
      return;
    }
    long size = 0;
    int digits = 0;
    for (int k = 0; k < len; k++) {
      int d = Character.digit(line[k], 16);
      if (d < 0) {
        byte b = line[k];
        if (digits > 0 && (b == ';' || b == ' ' || b == '\t')) {
          break; // chunk extensions
        }
        throw new ParseFailure("bad chunk size");
      }
      if (++digits > 15) {
        throw new ParseFailure("chunk size too large");
      }
      size = size * 16 + d;
    }
    if (digits == 0) {
      throw new ParseFailure("empty chunk size");
    }
    if (size == 0) {
      state = State.TRAILERS;
      trailerBytes = 0;
    } else {
      state = State.CHUNK_DATA;
      remaining = size;
    }
  }

  // ---- missing (uncaptured) bytes ----

  private void skipMissing(long missing) {
    switch (state) {
      case IDLE -> {
        // A message started in bytes we did not see.
        state = State.SYNC_LOST;
      }
      case HEAD -> cutHead(missing);
      case BODY_LENGTH -> {
        if (missing <= remaining) {
          remaining -= missing;
          touch(missing);
          if (remaining == 0) {
            endMessage(guessedFraming);
          }
        } else {
          touch(remaining);
          remaining = 0;
          endMessage(guessedFraming);
          state = State.SYNC_LOST; // the next message started in the lost bytes
        }
      }
      case CHUNK_DATA -> {
        if (missing <= remaining) {
          remaining -= missing;
          touch(missing);
          if (remaining == 0) {
            state = State.CHUNK_DATA_END;
            chunkCrSeen = false;
          }
        } else if (missing <= remaining + 2) {
          touch(missing);
          remaining = 0;
          state = State.CHUNK_SIZE; // the lost tail was the chunk and its CRLF
          lineBufLen = 0;
        } else {
          openAfterLoss(missing);
        }
      }
      case CHUNK_DATA_END -> {
        if (missing <= (chunkCrSeen ? 1 : 2)) {
          touch(missing);
          state = State.CHUNK_SIZE;
          lineBufLen = 0;
        } else {
          openAfterLoss(missing);
        }
      }
      case CHUNK_SIZE, TRAILERS -> openAfterLoss(missing);
      case BODY_UNTIL_CLOSE, BODY_OPEN -> touch(missing);
      case SYNC_LOST, STOPPED, BROKEN -> {}
    }
  }

  /** Chunk framing was lost with the missing bytes: the message ends at a syscall boundary. */
  private void openAfterLoss(long missing) {
    touch(missing);
    state = State.BODY_OPEN;
    tentative = true;
  }

  private void cutHead(long missing) {
    headsCut++;
    HttpHead cutHead;
    try {
      cutHead = parseHead(true);
    } catch (ParseFailure e) {
      cutHead = null; // a bad line next to the cut: treat as lost
    }
    touch(missing);
    tentative = true; // framing from here on is a guess
    if (cutHead == null) {
      endMessage(true);
      state = State.SYNC_LOST;
      return;
    }
    deliverHead(cutHead);
    if (state != State.HEAD) {
      return;
    }
    decideBody(cutHead, true, missing);
  }

  // ---- failure ----

  /**
   * A framing or syntax failure at {@code i}. After a guess it only means the guess was wrong;
   * on a synced stream the stream is not HTTP.
   */
  private int fail(String reason, byte[] data, int i, int end) {
    if (guessedFraming && inMessage && currentHead != null) {
      state = State.BODY_OPEN; // the cut head's framing was wrong: fall back to syscall boundaries
      return i;
    }
    if (tentative) {
      if (inMessage) {
        endMessage(true);
      }
      state = State.SYNC_LOST;
      return end;
    }
    errors++;
    errorReason = reason;
    resetMessage();
    releaseBuffers();
    state = State.BROKEN;
    listener.onError(reason);
    return end;
  }

  private static final class ParseFailure extends Exception {
    ParseFailure(String message) {
      super(message, null, false, false);
    }
  }
}
