package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Http1ParserTest {

  // ---- well-formed streams, every way of splitting them into reads ----

  static Stream<Arguments> requestStreams() {
    return Stream.of(
        Arguments.of("simple GET", "GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n", List.of("GET /a?b=1 32")),
        Arguments.of(
            "POST with Content-Length",
            "POST /items HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
            List.of("POST /items 48")),
        Arguments.of(
            "chunked with extension and trailer",
            "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
            List.of("POST /c 94")),
        Arguments.of(
            "pipelined GET, POST, GET",
            "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /3 HTTP/1.1\r\n\r\n",
            List.of("GET /1 19", "POST /2 42", "GET /3 19")),
        Arguments.of(
            "keep-alive with stray CRLF between messages and bare LF line ends",
            "GET /x HTTP/1.0\n\n\r\nDELETE /y HTTP/1.1\r\nA: b\r\n\r\n",
            List.of("GET /x 17", "DELETE /y 28")),
        Arguments.of(
            "Transfer-Encoding overrides Content-Length",
            "POST /t HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
            List.of("POST /t 86")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requestStreams")
  void parsesRequestsHoweverTheyAreSplit(String name, String stream, List<String> expected) {
    for (Split split : Split.values()) {
      Recorder r = new Recorder();
      Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, true);
      split.feed(p, bytes(stream));
      assertThat(r.summaries()).as(split.name()).isEqualTo(expected);
      assertThat(r.errors).as(split.name()).isEmpty();
      assertThat(p.errors()).isZero();
    }
  }

  static Stream<Arguments> responseStreams() {
    return Stream.of(
        Arguments.of("Content-Length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", List.of("200 40")),
        Arguments.of(
            "chunked",
            "GET",
            "HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            List.of("404 67")),
        Arguments.of("204 has no body", "DELETE", "HTTP/1.1 204 No Content\r\n\r\n", List.of("204 27")),
        Arguments.of(
            "HEAD response has no body despite Content-Length",
            "HEAD",
            "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n",
            List.of("200 40")),
        Arguments.of(
            "100 Continue then final",
            "POST",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
            List.of("100 25", "201 43")),
        Arguments.of(
            "two keep-alive responses",
            "GET",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nb",
            List.of("200 39", "500 41")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("responseStreams")
  void parsesResponsesHoweverTheyAreSplit(
      String name, String method, String stream, List<String> expected) {
    for (Split split : Split.values()) {
      Recorder r = new Recorder();
      r.method = method;
      Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
      split.feed(p, bytes(stream));
      assertThat(r.summaries()).as(split.name()).isEqualTo(expected);
      assertThat(r.errors).isEmpty();
    }
  }

  @Test
  void responseWithoutLengthEndsWhenTheConnectionCloses() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    feed(p, "HTTP/1.0 200 OK\r\n\r\nsome", 10, 20);
    feed(p, " more body", 30, 40);
    assertThat(r.messages).isEmpty();

    p.endOfStream();

    assertThat(r.summaries()).containsExactly("200 33");
    assertThat(r.messages.get(0).lastEndNanos()).isEqualTo(40);
    assertThat(r.messages.get(0).inferredEnd()).isFalse();
  }

  static Stream<Arguments> bodiesCutShort() {
    return Stream.of(
        Arguments.of("Content-Length body never read", "HTTP/1.1 500 Oops\r\nContent-Length: 27\r\n\r\n", "500 41"),
        Arguments.of("Content-Length body half read", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", "200 43"),
        Arguments.of(
            "chunked body inside a chunk",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe",
            "200 52"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bodiesCutShort")
  void bodyCutShortByTheEndOfTheStreamStillEndsTheMessageWithItsHead(
      String name, String received, String summary) {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    feed(p, received, 10, 20);
    assertThat(r.messages).isEmpty();

    p.endOfStream();

    assertThat(r.summaries()).containsExactly(summary);
    HttpMessage m = r.messages.get(0);
    assertThat(m.cutShort()).isTrue();
    assertThat(m.inferredEnd()).isTrue();
    assertThat(m.lastEndNanos()).isEqualTo(20);
    assertThat(r.errors).isEmpty();
  }

  @Test
  void headCutShortByTheEndOfTheStreamIsDropped() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    feed(p, "HTTP/1.1 200 OK\r\nContent-Le", 10, 20);

    p.endOfStream();

    assertThat(r.messages).isEmpty();
    assertThat(r.errors).isEmpty();
  }

  @Test
  void completeMessagesAreNotCutShort() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 10, 20);
    p.endOfStream();

    assertThat(r.messages).singleElement().extracting(HttpMessage::cutShort).isEqualTo(false);
  }

  @Test
  void keepsFirstBytesAsExcerptAndTimesOfFirstAndLastSyscall() {
    Recorder r = new Recorder();
    Http1Parser p =
        new Http1Parser(Http1Parser.Mode.REQUEST, new HttpLimits(1024, 10, 20), r, true);
    feed(p, "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n", 100, 110);
    feed(p, "a", 200, 210);
    feed(p, "bc", 300, 310);

    HttpMessage m = r.messages.get(0);
    assertThat(new String(m.excerpt(), StandardCharsets.US_ASCII)).isEqualTo("POST /x HTTP/1.1\r\nCo");
    assertThat(m.firstStartNanos()).isEqualTo(100);
    assertThat(m.firstEndNanos()).isEqualTo(110);
    assertThat(m.lastEndNanos()).isEqualTo(310);
  }

  // ---- captures that copied fewer bytes than the syscall moved ----

  @Test
  void skipsTruncatedBodyBytesByCountAndStaysInSync() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, true);
    String head = "PUT /upload HTTP/1.1\r\nContent-Length: 10000\r\n\r\n";
    byte[] captured = bytes(head + "x".repeat(100)); // the probe copied 100 body bytes
    p.feed(captured, 0, captured.length, head.length() + 6000, 1, 2); // the syscall moved 6000
    p.feed(new byte[0], 0, 0, 4000, 3, 4); // rest of the body, nothing copied
    feed(p, "GET /next HTTP/1.1\r\n\r\n", 5, 6);

    assertThat(r.summaries()).containsExactly("PUT /upload " + (head.length() + 10000), "GET /next 22");
    assertThat(r.messages.get(0).lastEndNanos()).isEqualTo(4);
    assertThat(r.messages.get(0).inferredEnd()).isFalse();
    assertThat(p.errors()).isZero();
  }

  @Test
  void skipsTruncatedChunkBytesByCount() {
    Recorder r = new Recorder();
    r.method = "GET";
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    String head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n";
    byte[] captured = bytes(head + "y".repeat(50));
    // One write: head, chunk-size line, 4096 chunk bytes and the chunk's CRLF; 50 copied.
    p.feed(captured, 0, captured.length, head.length() + 4096 + 2, 1, 2);
    feed(p, "0\r\n\r\n", 3, 4);

    assertThat(r.summaries()).containsExactly("200 " + (head.length() + 4096 + 2 + 5));
    assertThat(r.messages.get(0).inferredEnd()).isFalse();
  }

  @Test
  void cutHeadKeepsStartLineAndInfersEndFromSyscallWhenContentLengthWasSeen() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, true);
    String whole =
        "POST /orders/42 HTTP/1.1\r\nContent-Length: 4\r\nX-Long: " + "v".repeat(300) + "\r\n\r\nbody";
    byte[] all = bytes(whole);
    p.feed(all, 0, 64, all.length, 1, 2); // 64 bytes copied of a single write
    feed(p, "GET /after HTTP/1.1\r\n\r\n", 3, 4);

    assertThat(r.heads.get(0).cut()).isTrue();
    assertThat(r.heads.get(0).method()).isEqualTo("POST");
    assertThat(r.heads.get(0).target()).isEqualTo("/orders/42");
    assertThat(r.summaries()).containsExactly("POST /orders/42 " + all.length, "GET /after 23");
    assertThat(p.headsCut()).isEqualTo(1);
    assertThat(p.errors()).isZero();
  }

  @Test
  void cutResponseHeadWithoutLengthStaysOpenUntilTheNextResponseStarts() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    byte[] first = bytes("HTTP/1.1 503 Service Unavailable\r\nServer: x\r\nX-Pad: " + "p".repeat(400));
    p.feed(first, 0, 40, first.length + 10, 1, 2);
    feed(p, "more body", 3, 4);
    assertThat(p.hasOpenMessage()).isTrue();
    feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5, 6);

    assertThat(r.summaries()).containsExactly("503 " + (first.length + 10 + 9), "200 38");
    assertThat(r.messages.get(0).inferredEnd()).isTrue();
    assertThat(r.messages.get(0).lastEndNanos()).isEqualTo(4);
  }

  @Test
  void lostMessageStartResyncsAtTheNextSyscallThatStartsAMessage() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, true);
    // One read with two pipelined requests; only the first 10 bytes of the second were copied.
    String two = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
    byte[] b = bytes(two);
    p.feed(b, 0, 29, b.length, 1, 2);
    feed(p, "garbage that is the rest of something", 3, 4);
    feed(p, "GET /3 HTTP/1.1\r\n\r\n", 5, 6);

    // "/2" survives from its cut start line; the garbage became one headless message (dropped
    // by the owner) before the parser fell back to waiting for a message start.
    assertThat(r.messages).extracting(m -> m.head() == null ? null : m.head().target())
        .containsExactly("/1", "/2", null, "/3");
    assertThat(r.heads.get(1).cut()).isTrue();
    assertThat(p.errors()).isZero();
  }

  @Test
  void streamJoinedMidwayWaitsForAMessageStart() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, false);
    feed(p, "tail of a body from before capture started", 1, 2);
    feed(p, "GET /now HTTP/1.1\r\n\r\n", 3, 4);

    assertThat(r.summaries()).containsExactly("GET /now 21");
    assertThat(p.errors()).isZero();
  }

  // ---- limits and garbage: counted, never thrown, never buffered without bound ----

  @Test
  void hugeHeadersAreAParseErrorAndTheStreamIsIgnoredAfterwards() {
    Recorder r = new Recorder();
    HttpLimits limits = new HttpLimits(1024, 100, 64);
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, limits, r, true);
    feed(p, "GET / HTTP/1.1\r\n", 1, 2);
    for (int i = 0; i < 100; i++) {
      feed(p, "X-Big-" + i + ": " + "a".repeat(100) + "\r\n", 3, 4);
      assertThat(p.bufferedBytes()).isLessThanOrEqualTo(1024 + 64 + 64);
    }
    feed(p, "\r\nGET /later HTTP/1.1\r\n\r\n", 5, 6);

    assertThat(p.errors()).isEqualTo(1);
    assertThat(p.isBroken()).isTrue();
    assertThat(r.errors).singleElement().asString().contains("head larger than 1024");
    assertThat(r.messages).isEmpty();
    assertThat(p.bufferedBytes()).isZero();
  }

  @Test
  void tooManyHeaderLinesIsAParseError() {
    Recorder r = new Recorder();
    Http1Parser p =
        new Http1Parser(Http1Parser.Mode.REQUEST, new HttpLimits(16 * 1024, 3, 64), r, true);
    feed(p, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 1, 2);

    assertThat(p.errors()).isEqualTo(1);
    assertThat(r.errors).singleElement().asString().contains("header lines");
  }

  static Stream<Arguments> garbage() {
    return Stream.of(
        Arguments.of("TLS client hello", Http1Parser.Mode.REQUEST, new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}),
        Arguments.of("lowercase method", Http1Parser.Mode.REQUEST, bytes("get / HTTP/1.1\r\n\r\n")),
        Arguments.of("HTTP/0.9", Http1Parser.Mode.REQUEST, bytes("GET /\r\n")),
        Arguments.of("HTTP/2 preface", Http1Parser.Mode.REQUEST, bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")),
        Arguments.of("space in header name", Http1Parser.Mode.REQUEST, bytes("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")),
        Arguments.of("bad content length", Http1Parser.Mode.REQUEST, bytes("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n")),
        Arguments.of("bad chunk size", Http1Parser.Mode.REQUEST,
            bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")),
        Arguments.of("NUL in headers", Http1Parser.Mode.REQUEST, bytes("GET / HTTP/1.1\r\nA: \0\r\n\r\n")),
        Arguments.of("CQL frame", Http1Parser.Mode.RESPONSE, new byte[] {(byte) 0x84, 0, 0, 1, 2, 0, 0, 0, 0}),
        Arguments.of("status without digits", Http1Parser.Mode.RESPONSE, bytes("HTTP/1.1 OK\r\n\r\n")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("garbage")
  void garbageOnASyncedStreamIsOneCountedError(String name, Http1Parser.Mode mode, byte[] input) {
    for (Split split : Split.values()) {
      Recorder r = new Recorder();
      Http1Parser p = new Http1Parser(mode, HttpLimits.defaults(), r, true);
      split.feed(p, input);
      assertThat(p.errors()).as(split.name()).isEqualTo(1);
      assertThat(r.errors).hasSize(1);
      assertThat(r.messages).isEmpty();
    }
  }

  @Test
  void hundredThousandRandomBytesNeverThrowAndCountAnError() {
    byte[] noise = new byte[100_000];
    new Random(7).nextBytes(noise);
    for (Http1Parser.Mode mode : Http1Parser.Mode.values()) {
      for (Split split : Split.values()) {
        Recorder r = new Recorder();
        Http1Parser p = new Http1Parser(mode, HttpLimits.defaults(), r, true);
        assertThatCode(() -> split.feed(p, noise)).doesNotThrowAnyException();
        assertThat(p.errors()).isEqualTo(1);
        assertThat(p.bufferedBytes()).isZero();
      }
    }
  }

  @Test
  void garbageAfterAValidMessageIsCountedOnce() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.REQUEST, HttpLimits.defaults(), r, true);
    feed(p, "GET /ok HTTP/1.1\r\n\r\n\u0001\u0002\u0003binary", 1, 2);
    feed(p, "GET /ignored HTTP/1.1\r\n\r\n", 3, 4);

    assertThat(r.summaries()).containsExactly("GET /ok 20");
    assertThat(p.errors()).isEqualTo(1);
  }

  /**
   * Valid pipelined traffic, mutated at random, split at random, with random truncation: the
   * parser must never throw and never hold more than its limits allow.
   */
  @Test
  void fuzzedTrafficNeverThrowsAndStaysBounded() {
    Random random = new Random(42);
    HttpLimits limits = new HttpLimits(2048, 50, 128);
    int bound = 2048 + 1025 + 128;
    String[] samples = {
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n",
      "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    };
    for (int round = 0; round < 2000; round++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 1 + random.nextInt(5); k++) {
        sb.append(samples[random.nextInt(samples.length)]);
      }
      byte[] stream = bytes(sb.toString());
      for (int m = 0; m < random.nextInt(4); m++) {
        stream[random.nextInt(stream.length)] = (byte) random.nextInt(256);
      }
      Http1Parser.Mode mode = random.nextBoolean() ? Http1Parser.Mode.REQUEST : Http1Parser.Mode.RESPONSE;
      Http1Parser p = new Http1Parser(mode, limits, new Recorder(), random.nextBoolean());
      int i = 0;
      while (i < stream.length) {
        int n = 1 + random.nextInt(Math.min(40, stream.length - i));
        int copied = random.nextInt(4) == 0 ? random.nextInt(n + 1) : n;
        long wire = n + (random.nextInt(8) == 0 ? random.nextInt(5000) : 0);
        int from = i;
        assertThatCode(() -> p.feed(stream, from, copied, wire, 1, 2)).doesNotThrowAnyException();
        assertThat(p.bufferedBytes()).isLessThanOrEqualTo(bound);
        i += n;
      }
      p.endOpenMessage();
      p.endOfStream();
    }
  }

  @Test
  void switchingProtocolsStopsParsing() {
    Recorder r = new Recorder();
    Http1Parser p = new Http1Parser(Http1Parser.Mode.RESPONSE, HttpLimits.defaults(), r, true);
    feed(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0005hello", 1, 2);

    assertThat(r.summaries()).containsExactly("101 56");
    assertThat(p.isStopped()).isTrue();
    assertThat(p.errors()).isZero();
  }

  // ---- builders ----

  /** Ways of cutting a stream into syscalls. */
  enum Split {
    WHOLE {
      @Override
      void feed(Http1Parser p, byte[] b) {
        p.feed(b, 0, b.length, b.length, 1, 2);
      }
    },
    BYTE_BY_BYTE {
      @Override
      void feed(Http1Parser p, byte[] b) {
        for (int i = 0; i < b.length; i++) {
          p.feed(b, i, 1, 1, 10L * i, 10L * i + 1);
        }
      }
    },
    RANDOM_PIECES {
      @Override
      void feed(Http1Parser p, byte[] b) {
        Random random = new Random(b.length);
        int i = 0;
        while (i < b.length) {
          int n = 1 + random.nextInt(Math.min(7, b.length - i));
          p.feed(b, i, n, n, i, i + 1);
          i += n;
        }
      }
    };

    abstract void feed(Http1Parser p, byte[] b);
  }

  static final class Recorder implements Http1Parser.Listener {
    final List<HttpHead> heads = new ArrayList<>();
    final List<HttpMessage> messages = new ArrayList<>();
    final List<String> errors = new ArrayList<>();
    int starts;
    String method = "GET";

    @Override
    public void onMessageStart() {
      starts++;
    }

    @Override
    public void onHead(HttpHead head) {
      heads.add(head);
    }

    @Override
    public void onMessageEnd(HttpMessage message) {
      messages.add(message);
    }

    @Override
    public void onError(String reason) {
      errors.add(reason);
    }

    @Override
    public String requestMethodForResponse() {
      return method;
    }

    /** "METHOD target wireBytes" for requests, "status wireBytes" for responses. */
    List<String> summaries() {
      List<String> out = new ArrayList<>();
      for (HttpMessage m : messages) {
        HttpHead h = m.head();
        out.add(
            h == null
                ? "? " + m.wireBytes()
                : h.isRequest()
                    ? h.method() + " " + h.target() + " " + m.wireBytes()
                    : h.status() + " " + m.wireBytes());
      }
      return out;
    }
  }

  static void feed(Http1Parser p, String text, long start, long end) {
    byte[] b = bytes(text);
    p.feed(b, 0, b.length, b.length, start, end);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
