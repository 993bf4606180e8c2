package dev.rootline.actors.capture;

import dev.rootline.bpf.CaptureEvent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The two byte streams of one captured connection, reassembled from its events, and the HTTP
 * exchanges found in them.
 *
 * <p>The request direction is INGRESS on a server connection and EGRESS on a client connection.
 * Responses pair with requests in order (HTTP/1.x has no other way), so a response always goes
 * to the oldest exchange that has no final response yet.
 */
final class ConnectionStream {

  enum Role {
    SERVER,
    CLIENT,
    /** Seen first through DATA (opened before capture) and no request seen yet. */
    UNKNOWN
  }

  /** What the stream reports to its assembler. */
  interface Observer {
    void requestHead(ConnectionStream stream, HttpExchange exchange, CaptureEvent event);

    /** The exchange has its final response, or failed; {@code exchange.error} says which. */
    void exchangeDone(ConnectionStream stream, HttpExchange exchange);

    /** Given up after request-timeout; the exchange stays queued as a placeholder. */
    void exchangeTimedOut(ConnectionStream stream, HttpExchange exchange);

    /** Dropped without a span (pipelining limit, eviction, lost request head). */
    void exchangeDropped(ConnectionStream stream, HttpExchange exchange);

    /** The stream is ignored from now on; {@code spokeHttp} false when it never was HTTP. */
    void streamBroken(ConnectionStream stream, String reason, boolean spokeHttp);

    void unmatchedResponse(ConnectionStream stream);

    /** A message head was cut by the capture's payload limit. */
    void headCut();

    /** Role and both addresses are known: the stream can be indexed for local stitching. */
    void identified(ConnectionStream stream);
  }

  /** Recent exchanges remembered for local stitching, per connection. */
  private static final int RECENT_EXCHANGES = 8;

  final ConnectionKey key;
  final CaptureEvent.Type openedBy;
  /** For telling a CLOSE of this connection from a late CLOSE of the fd's previous one. */
  final long openedAtNanos;

  private final CaptureAssemblySettings settings;
  private final Observer observer;

  private Role role;
  private InetSocketAddress local;
  private InetSocketAddress remote;
  private String localText;
  private String remoteText;
  private String comm;
  private long lastEventNanos;
  private long lastRequestBytesNanos;
  private long lastResponseBytesNanos;
  private boolean identified;
  /** Non-HTTP, upgraded or reset: events are ignored until the connection closes. */
  private boolean ignored;
  private boolean spokeHttp;
  /** This end closed the connection (CLOSE), as opposed to the peer shutting its side. */
  private boolean closedHere;

  private MessageParser requestParser;
  private MessageParser responseParser;
  /** The first request bytes chose the protocol (HTTP/1.x unless they look like RESP). */
  private boolean protocolChosen;
  private final ArrayDeque<HttpExchange> outstanding = new ArrayDeque<>();
  private final ArrayDeque<HttpExchange> recent = new ArrayDeque<>();
  /** Requests begun on this connection: their order is what both ends of it agree on. */
  private int requestsStarted;
  private HttpExchange requestInProgress;
  private HttpExchange responseTarget;
  private CaptureEvent current;

  ConnectionStream(
      ConnectionKey key,
      Role role,
      CaptureEvent opening,
      long openedAtNanos,
      CaptureAssemblySettings settings,
      Observer observer) {
    this.key = key;
    this.openedBy = opening.type();
    this.openedAtNanos = openedAtNanos;
    this.settings = settings;
    this.observer = observer;
    this.role = Role.UNKNOWN;
    this.comm = opening.comm() == null ? "" : opening.comm();
    this.lastEventNanos = opening.endEpochNanos();
    if (role != Role.UNKNOWN) {
      assignRole(role, true);
    }
  }

  Role role() {
    return role;
  }

  InetSocketAddress local() {
    return local;
  }

  /** "ip:port" of this end, formatted once; empty while unknown. */
  String localText() {
    if (localText == null && local != null) {
      localText = SocketAddresses.format(local);
    }
    return localText == null ? "" : localText;
  }

  /** "ip:port" of the other end, formatted once; empty while unknown. */
  String remoteText() {
    if (remoteText == null && remote != null) {
      remoteText = SocketAddresses.format(remote);
    }
    return remoteText == null ? "" : remoteText;
  }

  InetSocketAddress remote() {
    return remote;
  }

  String comm() {
    return comm;
  }

  long lastEventNanos() {
    return lastEventNanos;
  }

  Iterable<HttpExchange> recentExchanges() {
    return recent;
  }

  /** Local port if known: the listening port of a server connection. */
  int localPort() {
    return local == null ? 0 : local.getPort();
  }

  boolean addressesComplete() {
    return SocketAddresses.isComplete(local) && SocketAddresses.isComplete(remote);
  }

  /**
   * The ACCEPT/CONNECT of a connection whose first DATA overtook it: keep the stream (and what it
   * parsed), just learn its role.
   */
  void adoptOpening(Role openingRole, CaptureEvent opening) {
    observe(opening);
    if (role == Role.UNKNOWN) {
      assignRole(openingRole, true);
    }
  }

  /** Every event of this connection: addresses and activity. */
  void observe(CaptureEvent e) {
    lastEventNanos = Math.max(lastEventNanos, e.endEpochNanos());
    // At CLOSE the local port is often already 0: only fill in what is still unknown.
    if (!SocketAddresses.isComplete(local) && SocketAddresses.isComplete(e.local())) {
      local = e.local();
      localText = null;
    }
    if (!SocketAddresses.isComplete(remote) && SocketAddresses.isComplete(e.remote())) {
      remote = e.remote();
      remoteText = null;
    }
    if (comm.isEmpty() && e.comm() != null) {
      comm = e.comm();
    }
    maybeIdentified();
  }

  /** A successful read or write of {@code e.bytes() > 0} bytes. */
  void onData(CaptureEvent e) {
    if (ignored) {
      return;
    }
    byte[] payload = e.payload() == null ? new byte[0] : e.payload();
    int captured = (int) Math.min(payload.length, e.bytes());
    if (role == Role.UNKNOWN) {
      boolean resp = RespParser.looksLikeRequest(payload, 0, captured);
      if (!resp && !HttpStarts.looksLikeRequest(payload, 0, captured)) {
        return; // wait for a syscall that starts a request: it tells which end we are
      }
      assignRole(e.direction() == CaptureEvent.Direction.INGRESS ? Role.SERVER : Role.CLIENT, false);
    }
    boolean requestDirection = (role == Role.SERVER) == (e.direction() == CaptureEvent.Direction.INGRESS);
    if (!protocolChosen && requestDirection) {
      protocolChosen = true;
      if (RespParser.looksLikeRequest(payload, 0, captured)) {
        speakResp();
      }
    }
    MessageParser parser = requestDirection ? requestParser : responseParser;
    MessageParser other = requestDirection ? responseParser : requestParser;
    // Talk in one direction ends a message of the other whose end could not be framed.
    other.endOpenMessage();
    if (requestDirection) {
      lastRequestBytesNanos = e.endEpochNanos();
    } else {
      lastResponseBytesNanos = e.endEpochNanos();
    }
    current = e;
    try {
      parser.feed(payload, 0, captured, e.bytes(), e.startEpochNanos(), e.endEpochNanos());
    } finally {
      current = null;
    }
    if (!ignored && bufferedBytes() > settings.maxBufferedBytesPerConnection()) {
      breakStream("more than " + settings.maxBufferedBytesPerConnection() + " bytes buffered");
    }
  }

  /** The peer shut its side (a read returned 0): a response delimited by the close ends. */
  void onEndOfStream(CaptureEvent.Direction direction) {
    if (ignored || role == Role.UNKNOWN) {
      return;
    }
    boolean requestDirection = (role == Role.SERVER) == (direction == CaptureEvent.Direction.INGRESS);
    (requestDirection ? requestParser : responseParser).endOfStream();
  }

  /** The connection failed (reset, broken pipe): every outstanding exchange fails with it. */
  void onFailure(String error, long timeNanos) {
    failOutstanding(error, timeNanos);
    stopParsers();
    ignored = true;
  }

  /**
   * CLOSE: what the close delimits completes; a response whose head was seen keeps its status
   * (see {@link #responseCutShortError}); what has no response fails.
   */
  void onClose(long timeNanos) {
    if (!ignored && role != Role.UNKNOWN) {
      closedHere = true;
      requestParser.endOfStream();
      responseParser.endOfStream();
    }
    failOutstanding("connection closed before response", timeNanos);
    stopParsers();
    ignored = true;
  }

  /** Forgotten (evicted): exchanges vanish without spans. */
  void drop() {
    for (HttpExchange x : outstanding) {
      if (!x.timedOut) {
        observer.exchangeDropped(this, x);
      }
    }
    outstanding.clear();
    recent.clear();
    stopParsers();
    ignored = true;
  }

  /** Time-driven work: open messages that have settled, requests that timed out. */
  void expire(long clockNanos, long requestTimeoutNanos, long settleNanos) {
    if (!ignored && role != Role.UNKNOWN) {
      if (requestParser.hasOpenMessage() && clockNanos - lastRequestBytesNanos >= settleNanos) {
        requestParser.endOpenMessage();
      }
      if (responseParser.hasOpenMessage() && clockNanos - lastResponseBytesNanos >= settleNanos) {
        responseParser.endOpenMessage();
      }
    }
    for (Iterator<HttpExchange> it = outstanding.iterator(); it.hasNext(); ) {
      HttpExchange x = it.next();
      if (x.timedOut || clockNanos - x.firstStartNanos < requestTimeoutNanos) {
        continue;
      }
      if (x.requestHead == null) {
        it.remove(); // never even had a head: nothing to report
        observer.exchangeDropped(this, x);
        continue;
      }
      x.timedOut = true;
      x.error = "timeout";
      x.endNanos = clockNanos;
      observer.exchangeTimedOut(this, x);
    }
  }

  boolean hasOpenMessage() {
    return !ignored
        && role != Role.UNKNOWN
        && (requestParser.hasOpenMessage() || responseParser.hasOpenMessage());
  }

  int bufferedBytes() {
    int total = 0;
    if (requestParser != null) {
      total += requestParser.bufferedBytes() + responseParser.bufferedBytes();
    }
    for (HttpExchange x : outstanding) {
      total += x.bufferedBytes();
    }
    return total;
  }

  // ---- internals ----

  private void assignRole(Role newRole, boolean synced) {
    role = newRole;
    requestParser =
        new Http1Parser(Http1Parser.Mode.REQUEST, settings.httpLimits(), new RequestSide(), synced);
    // A stream joined midway may be in the middle of a response: wait for one to start.
    responseParser =
        new Http1Parser(Http1Parser.Mode.RESPONSE, settings.httpLimits(), new ResponseSide(), synced);
    maybeIdentified();
  }

  /** Redis: its commands and replies become exchanges like HTTP requests and responses. */
  private void speakResp() {
    requestParser.stop();
    responseParser.stop();
    requestParser = new RespParser(Http1Parser.Mode.REQUEST, settings.httpLimits(), new RequestSide());
    responseParser = new RespParser(Http1Parser.Mode.RESPONSE, settings.httpLimits(), new ResponseSide());
  }

  private void maybeIdentified() {
    if (!identified && role != Role.UNKNOWN && addressesComplete()) {
      identified = true;
      observer.identified(this);
    }
  }

  private void failOutstanding(String error, long timeNanos) {
    List<HttpExchange> failed = new ArrayList<>(outstanding);
    outstanding.clear();
    for (HttpExchange x : failed) {
      if (x.timedOut) {
        continue; // its span already went out
      }
      if (x.requestHead == null) {
        observer.exchangeDropped(this, x);
        continue;
      }
      x.error = error;
      x.endNanos = timeNanos;
      observer.exchangeDone(this, x);
    }
    requestInProgress = null;
    responseTarget = null;
  }

  private void stopParsers() {
    if (requestParser != null) {
      requestParser.stop();
      responseParser.stop();
    }
  }

  private void breakStream(String reason) {
    ignored = true;
    stopParsers();
    for (HttpExchange x : outstanding) {
      if (!x.timedOut) {
        observer.exchangeDropped(this, x);
      }
    }
    outstanding.clear();
    requestInProgress = null;
    responseTarget = null;
    observer.streamBroken(this, reason, spokeHttp);
  }

  /**
   * Why a response cut short by the end of the stream is a failure, or null when it is not: a
   * client that closes after reading the head has its answer and chose not to read the rest (e.g.
   * Python's urllib raises HTTPError on a 4xx/5xx head and closes without reading the body), while
   * a server that closes mid-body, or a peer that closes before the body it announced, broke it.
   */
  private String responseCutShortError() {
    return closedHere && role == Role.CLIENT ? null : "connection closed before end of response";
  }

  private void remember(HttpExchange x) {
    if (recent.size() == RECENT_EXCHANGES) {
      recent.removeFirst();
    }
    recent.addLast(x);
  }

  /** Requests: INGRESS on a server connection, EGRESS on a client connection. */
  private final class RequestSide implements Http1Parser.Listener {
    @Override
    public void onMessageStart() {
      CaptureEvent e = current;
      HttpExchange x =
          new HttpExchange(e.startEpochNanos(), e.endEpochNanos(), e.pid(), e.comm());
      x.ordinal = ++requestsStarted;
      if (outstanding.size() >= settings.maxInFlightPerConnection()) {
        HttpExchange oldest = outstanding.removeFirst();
        if (!oldest.timedOut) {
          observer.exchangeDropped(ConnectionStream.this, oldest);
        }
      }
      outstanding.addLast(x);
      requestInProgress = x;
    }

    @Override
    public void onHead(HttpHead head) {
      spokeHttp = true;
      if (head.cut()) {
        observer.headCut();
      }
      HttpExchange x = requestInProgress;
      if (x == null) {
        return;
      }
      x.requestHead = head;
      observer.requestHead(ConnectionStream.this, x, current);
      remember(x);
    }

    @Override
    public void onMessageEnd(HttpMessage message) {
      HttpExchange x = requestInProgress;
      requestInProgress = null;
      if (x == null) {
        return;
      }
      x.request = message;
      if (x.requestHead == null && outstanding.remove(x)) {
        observer.exchangeDropped(ConnectionStream.this, x); // lost start line: keep no exchange
      }
    }

    @Override
    public void onError(String reason) {
      breakStream(reason);
    }
  }

  /** Responses: EGRESS on a server connection, INGRESS on a client connection. */
  private final class ResponseSide implements Http1Parser.Listener {
    @Override
    public void onMessageStart() {
      responseTarget = outstanding.peekFirst();
      if (responseTarget == null) {
        observer.unmatchedResponse(ConnectionStream.this);
      }
    }

    @Override
    public String requestMethodForResponse() {
      HttpExchange x = responseTarget;
      return x == null || x.requestHead == null ? "GET" : x.requestHead.method();
    }

    @Override
    public void onHead(HttpHead head) {
      spokeHttp = true;
      if (head.cut()) {
        observer.headCut();
      }
      if (responseTarget != null) {
        responseTarget.responseHead = head;
      }
    }

    @Override
    public void onMessageEnd(HttpMessage message) {
      HttpExchange x = responseTarget;
      responseTarget = null;
      if (x == null) {
        return;
      }
      x.responseBytes += message.wireBytes();
      HttpHead head = message.head();
      if (head != null && head.isInterim()) {
        return; // 100 Continue and friends: the final response follows
      }
      outstanding.remove(x);
      if (x == requestInProgress) {
        requestInProgress = null; // answered before its body was read (e.g. 413)
      }
      boolean upgraded =
          head != null
              && (head.status() == 101
                  || (x.requestHead != null
                      && "CONNECT".equals(x.requestHead.method())
                      && head.status() >= 200
                      && head.status() < 300));
      if (upgraded) {
        ignored = true; // WebSocket or a tunnel: no longer HTTP/1.x
        requestParser.stop();
      }
      if (x.timedOut) {
        return; // its span already went out
      }
      if (x.requestHead == null) {
        observer.exchangeDropped(ConnectionStream.this, x);
        return;
      }
      x.response = message;
      x.endNanos = message.lastEndNanos();
      if (message.cutShort()) {
        x.error = responseCutShortError();
      }
      observer.exchangeDone(ConnectionStream.this, x);
    }

    @Override
    public void onError(String reason) {
      breakStream(reason);
    }
  }
}
