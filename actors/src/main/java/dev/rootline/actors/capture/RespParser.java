package dev.rootline.actors.capture;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * Redis protocol (RESP2 and RESP3) messages of one direction of a connection, reported like HTTP
 * messages so that Redis calls become spans the way HTTP calls do: a request is an array of bulk
 * strings whose first element names the command (method = the command, target = "/"), a reply
 * is any RESP value (status 500 for an error reply, 200 otherwise).
 *
 * <p>Syscalls almost always carry whole commands and replies. When the capture's payload limit
 * cut a syscall in the middle of framing this parser cannot follow (the uncopied bytes held
 * element headers, not just the rest of a bulk string), the message ends with that syscall and
 * parsing starts afresh with the next one.
 */
final class RespParser implements MessageParser {

  /** Longest element header line ("*3", "$1024", "+OK", "-ERR ..."); longer is not RESP. */
  static final int MAX_LINE = 1024;
  /** Longest command name kept. */
  static final int MAX_COMMAND = 32;

  private final Http1Parser.Mode mode;
  private final HttpLimits limits;
  private final Http1Parser.Listener listener;

  private boolean stopped;
  private boolean inMessage;
  /** Elements still to read, per open aggregate (array, map, set, push), innermost last. */
  private final ArrayDeque<long[]> open = new ArrayDeque<>();
  private final byte[] line = new byte[MAX_LINE];
  private int lineLen;
  private boolean crSeen;
  /** Bytes left of the current bulk string, its CRLF included; -1 outside one. */
  private long bulkLeft = -1;
  /** The request's command, collected from its first bulk string. */
  private final byte[] command = new byte[MAX_COMMAND];
  private int commandLen;
  private boolean collectingCommand;
  private boolean headSent;
  private HttpHead head;
  private int elementsSeen;

  private long wireBytes;
  private byte[] excerpt;
  private int excerptLen;
  private long firstStart;
  private long firstEnd;
  private long lastEnd;
  private long feedStart;
  private long feedEnd;
  private boolean errorReply;

  RespParser(Http1Parser.Mode mode, HttpLimits limits, Http1Parser.Listener listener) {
    this.mode = mode;
    this.limits = limits;
    this.listener = listener;
  }

  /** "*" and a digit: how a RESP command (array of bulk strings) starts. */
  static boolean looksLikeRequest(byte[] data, int offset, int length) {
    return length >= 4 && data[offset] == '*' && HttpStarts.isDigit(data[offset + 1]);
  }

  @Override
  public void feed(
      byte[] data, int offset, int length, long wireLength, long startNanos, long endNanos) {
    if (stopped || data == null || offset < 0 || length < 0 || offset > data.length - length) {
      return;
    }
    feedStart = startNanos;
    feedEnd = endNanos;
    int i = offset;
    int end = offset + length;
    while (i < end && !stopped) {
      if (!inMessage) {
        begin();
      }
      wireBytes++;
      lastEnd = endNanos;
      keep(data[i]);
      byte b = data[i++];
      if (bulkLeft >= 0) {
        bulkByte(b);
      } else {
        lineByte(b);
      }
    }
    long missing = Math.max(0, wireLength - length);
    if (missing > 0 && inMessage && !stopped) {
      if (bulkLeft > missing) {
        bulkLeft -= missing; // only the rest of a bulk string went uncopied: still in step
        wireBytes += missing;
      } else {
        wireBytes += missing;
        end(false); // framing went uncopied: this syscall ends the message
      }
    }
  }

  /** A message cut by the end of the stream ends, marked cut short (like HTTP's). */
  @Override
  public void endOfStream() {
    if (inMessage && !stopped) {
      end(true);
    }
  }

  @Override
  public void endOpenMessage() {
    // RESP frames every message: nothing is ever open in the HTTP sense.
  }

  @Override
  public void stop() {
    stopped = true;
    inMessage = false;
    excerpt = null;
  }

  @Override
  public boolean hasOpenMessage() {
    return false;
  }

  @Override
  public int bufferedBytes() {
    return lineLen + (excerpt == null ? 0 : excerpt.length);
  }

  // ---- framing ----

  private void lineByte(byte b) {
    if (crSeen) {
      crSeen = false;
      if (b == '\n') {
        headerLine();
        lineLen = 0;
        return;
      }
      line((byte) '\r'); // a lone CR inside a simple string
      if (stopped) {
        return;
      }
    }
    if (b == '\r') {
      crSeen = true;
      return;
    }
    line(b);
  }

  private void line(byte b) {
    if (lineLen == MAX_LINE) {
      fail("RESP line longer than " + MAX_LINE + " bytes");
      return;
    }
    line[lineLen++] = b;
  }

  private void headerLine() {
    if (lineLen == 0) {
      fail("empty RESP line");
      return;
    }
    byte type = line[0];
    boolean top = open.isEmpty() && elementsSeen == 0;
    if (top && mode == Http1Parser.Mode.REQUEST && type != '*') {
      fail("a RESP command must be an array");
      return;
    }
    if (top && mode == Http1Parser.Mode.RESPONSE) {
      errorReply = type == '-' || type == '!';
      if (type != '$' && type != '!' && type != '=') {
        sendHead();
      }
    }
    elementsSeen++;
    switch (type) {
      case '*', '~', '>', '%' -> {
        long n = number();
        if (stopped) {
          return;
        }
        if (n <= 0) {
          elementDone();
        } else {
          open.addLast(new long[] {type == '%' ? 2 * n : n});
        }
      }
      case '$', '!', '=' -> {
        long n = number();
        if (stopped) {
          return;
        }
        if (n < 0) {
          elementDone();
        } else {
          collectingCommand =
              mode == Http1Parser.Mode.REQUEST && open.size() == 1 && elementsSeen == 2;
          bulkLeft = n + 2;
        }
      }
      case '+', '-', ':', '_', '#', ',', '(' -> elementDone();
      default -> fail("not RESP: type byte 0x" + Integer.toHexString(type & 0xff));
    }
  }

  private void bulkByte(byte b) {
    bulkLeft--;
    if (collectingCommand && bulkLeft >= 2 && commandLen < MAX_COMMAND) {
      command[commandLen++] = b;
    }
    if (bulkLeft == 0) {
      bulkLeft = -1;
      if (collectingCommand) {
        collectingCommand = false;
        sendHead();
      }
      if (mode == Http1Parser.Mode.RESPONSE && open.isEmpty() && !headSent) {
        sendHead();
      }
      elementDone();
    }
  }

  private long number() {
    long n = 0;
    boolean negative = lineLen > 1 && line[1] == '-';
    int from = negative ? 2 : 1;
    if (from >= lineLen || lineLen - from > 18) {
      fail("bad RESP length");
      return 0;
    }
    for (int k = from; k < lineLen; k++) {
      if (!HttpStarts.isDigit(line[k])) {
        fail("bad RESP length");
        return 0;
      }
      n = n * 10 + (line[k] - '0');
    }
    return negative ? -n : n;
  }

  /** One element complete: close the aggregates it completes; the last one ends the message. */
  private void elementDone() {
    while (!open.isEmpty()) {
      long[] left = open.peekLast();
      if (--left[0] > 0) {
        return;
      }
      open.removeLast();
    }
    end(false);
  }

  // ---- messages ----

  private void begin() {
    inMessage = true;
    open.clear();
    lineLen = 0;
    crSeen = false;
    bulkLeft = -1;
    commandLen = 0;
    collectingCommand = false;
    headSent = false;
    head = null;
    elementsSeen = 0;
    wireBytes = 0;
    excerptLen = 0;
    errorReply = false;
    firstStart = feedStart;
    firstEnd = feedEnd;
    lastEnd = feedEnd;
    listener.onMessageStart();
  }

  private void sendHead() {
    if (headSent) {
      return;
    }
    headSent = true;
    if (mode == Http1Parser.Mode.REQUEST) {
      if (commandLen == 0) {
        return; // no command name: the message only keeps request/reply pairing
      }
      String name = new String(command, 0, commandLen, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
      head = new HttpHead(name, "/", 0, -1, false, null, false);
    } else {
      head = new HttpHead(null, null, errorReply ? 500 : 200, -1, false, null, false);
    }
    listener.onHead(head);
  }

  private void end(boolean cutShort) {
    if (!headSent && mode == Http1Parser.Mode.RESPONSE) {
      sendHead();
    }
    inMessage = false;
    open.clear();
    bulkLeft = -1;
    lineLen = 0;
    crSeen = false;
    byte[] kept = excerpt == null ? new byte[0] : Arrays.copyOf(excerpt, excerptLen);
    // The message went out as a copy (masked before its span leaves): no raw bytes stay behind.
    if (excerpt != null) {
      Arrays.fill(excerpt, 0, excerptLen, (byte) 0);
    }
    Arrays.fill(line, (byte) 0);
    listener.onMessageEnd(
        new HttpMessage(head, wireBytes, kept, firstStart, firstEnd, lastEnd, cutShort, cutShort));
  }

  private void keep(byte b) {
    int max = limits.excerptBytes();
    if (excerptLen >= max) {
      return;
    }
    if (excerpt == null) {
      excerpt = new byte[Math.min(max, 256)];
    } else if (excerptLen == excerpt.length) {
      excerpt = Arrays.copyOf(excerpt, Math.min(max, excerpt.length * 2));
    }
    excerpt[excerptLen++] = b;
  }

  private void fail(String reason) {
    stopped = true;
    inMessage = false;
    excerpt = null;
    listener.onError(reason);
  }
}
