package dev.rootline.actors.capture;

import dev.rootline.actors.stitch.ConnectionLink;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.persistence.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Turns the capture events of one host into spans.
 *
 * <p>A server span runs from the read that brought the request's first byte to the write that
 * sent the response's last byte; a client span from the write of the request's first byte to the
 * read of the response's last byte. Trace context comes from a W3C {@code traceparent} header
 * when the request has one; otherwise a client request made by a thread that is serving a server
 * request becomes that server span's child, and a server request whose connection is, seen from
 * the other end, a client connection captured on this host becomes that client span's child
 * (local stitching). A server request that has none of those waits {@code stitch-grace} of event
 * time for its client to show up (events from different CPUs arrive slightly out of order), then
 * starts a trace of its own.
 *
 * <p>Single-threaded and deterministic: the only clock is event time, advanced by events and by
 * {@link #tick}; ids are derived from the events and a per-host salt (tests may seed the salt),
 * so the same events give the same spans. Nothing thrown
 * while processing an event escapes: it is counted and the connection is dropped.
 */
public final class SpanAssembler {

  private static final int ECONNRESET = 104;
  private static final int EPIPE = 32;
  private static final int ETIMEDOUT = 110;
  private static final int EINPROGRESS = 115;

  private final CaptureAssemblySettings settings;
  private final Consumer<Span> sink;
  /** Cross-host stitching: accounts of requests whose other end is not on this host. */
  private Consumer<ConnectionLink> links = link -> {};
  /** Mixed into every id: ids are derived from what was captured, not drawn (see newSpanId). */
  private final long salt;
  private final HostNames hostNames;
  private final long requestTimeoutNanos;
  private final long idleTimeoutNanos;
  private final long graceNanos;
  private final long settleNanos;
  private final long scanPeriodNanos;
  private final long lingerNanos;

  private final ConnectionTable table;
  /** Identified connections by "local|remote", one map per role, for local stitching. */
  private final Map<String, ConnectionStream> serversByPair = new HashMap<>();
  private final Map<String, ConnectionStream> clientsByPair = new HashMap<>();
  /** The server exchange each thread (pid, tid) is serving now. */
  private final Map<Long, HttpExchange> servingThreads = new HashMap<>();
  /** Server exchanges waiting for a stitched parent, soonest deadline first. */
  private final PriorityQueue<HttpExchange> awaitingParent =
      new PriorityQueue<>(Comparator.comparingLong(x -> x.link.graceDeadlineNanos()));
  /** Finished exchanges whose trace id is not known yet, by the undecided link they wait for. */
  private final Map<TraceLink, List<Finished>> waitingOn = new IdentityHashMap<>();
  private final Excerpts excerpts = new Excerpts();
  /** Masks every span's target and excerpts before it leaves (sink and links alike). */
  private final PiiMasker masker = new PiiMasker();
  /** Which masking rules a span's scope wants; every rule until told otherwise. */
  private MaskingRules maskingRules = (host, service, method, target) -> MaskingRule.ALL;
  /** Closed connections still in the stitching index, oldest first. */
  private final ArrayDeque<Lingering> lingering = new ArrayDeque<>();
  private final Observer observer = new Observer();

  private long clockNanos = Long.MIN_VALUE;
  private long lastScanNanos = Long.MIN_VALUE;

  private long events;
  private long bytes;
  private long truncatedEvents;
  private long requestsParsed;
  private long spansEmitted;
  private long parseErrors;
  private long nonHttpConnections;
  private long connectionsOpened;
  private long connectionsEvicted;
  private long timeouts;
  private long unmatchedResponses;
  private long droppedExchanges;
  private long internalErrors;
  private long headsCut;

  public SpanAssembler(CaptureAssemblySettings settings, Consumer<Span> sink) {
    this(settings, sink, hostSalt(settings.host()));
  }

  /**
   * The salt of this host's ids: the same for every node that captures the host (a successor
   * gives a re-read request the same ids), different between hosts.
   */
  private static RandomGenerator hostSalt(String host) {
    return new SplittableRandom(mix(host.hashCode() * 0x9e3779b97f4a7c15L) ^ host.length());
  }

  /** With a given salt generator (its first value salts every id): seed one for reproducible tests. */
  public SpanAssembler(
      CaptureAssemblySettings settings, Consumer<Span> sink, RandomGenerator random) {
    this(settings, sink, random, settings.hostNames());
  }

  /** With a given host resolver (tests). */
  SpanAssembler(
      CaptureAssemblySettings settings,
      Consumer<Span> sink,
      RandomGenerator random,
      HostNames hostNames) {
    this.settings = settings;
    this.hostNames = hostNames;
    this.sink = sink;
    this.salt = random.nextLong();
    this.requestTimeoutNanos = settings.requestTimeout().toNanos();
    this.idleTimeoutNanos = settings.connectionIdleTimeout().toNanos();
    this.graceNanos = settings.stitchGrace().toNanos();
    this.settleNanos = settings.openMessageSettle().toNanos();
    this.lingerNanos = Math.max(2 * graceNanos, 1_000_000_000L);
    this.scanPeriodNanos =
        Math.max(1_000_000L, Math.min(100_000_000L, Math.min(settleNanos, requestTimeoutNanos) / 2));
    this.table = new ConnectionTable(settings.maxConnections());
  }

  /**
   * One polled batch: sorted by time (each CPU's events are in order, the batch is not), then
   * processed, then the clock advances to the newest event.
   */
  public void acceptBatch(List<CaptureEvent> batch) {
    List<CaptureEvent> sorted = new ArrayList<>(batch.size());
    for (CaptureEvent e : batch) {
      if (e != null) {
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong(CaptureEvent::endEpochNanos));
    long newest = Long.MIN_VALUE;
    for (CaptureEvent e : sorted) {
      accept(e);
      newest = Math.max(newest, e.endEpochNanos());
    }
    if (newest != Long.MIN_VALUE) {
      advance(newest);
    }
  }

  /** One event. Time-driven work (grace, timeouts) waits for {@link #acceptBatch} or a tick. */
  public void accept(CaptureEvent e) {
    if (e == null || e.type() == null) {
      return;
    }
    events++;
    try {
      switch (e.type()) {
        case ACCEPT -> onOpen(e, ConnectionStream.Role.SERVER);
        case CONNECT -> onOpen(e, ConnectionStream.Role.CLIENT);
        case DATA -> onData(e);
        case CLOSE -> onClose(e);
      }
    } catch (RuntimeException bug) {
      internalErrors++;
      ConnectionStream s = table.get(e.pid(), e.fd());
      if (s != null) {
        forget(s);
        s.drop();
      }
    }
  }

  /**
   * Advances event time to {@code nowEpochNanos} (never backwards): grace periods end, open
   * messages settle, requests time out, idle connections are forgotten, spans waiting for their
   * trace id go out.
   */
  public void tick(long nowEpochNanos) {
    advance(nowEpochNanos);
  }

  /** Event time now ({@link Long#MIN_VALUE} before the first event or tick). */
  public long clockNanos() {
    return clockNanos;
  }

  /**
   * From now on also hands {@code links} a {@link ConnectionLink} for every span that may have its
   * other end on another host (cross-host stitching, see {@code dev.rootline.actors.stitch}): each
   * client span not stitched to a local server span, and each server span that started a trace
   * of its own (no traceparent, no local client).
   */
  public void publishLinksTo(Consumer<ConnectionLink> links) {
    this.links = links;
  }

  /**
   * The masking rules of each span's scope, asked once per span before it is built ({@link
   * CapturePolicyEnforcer#maskingRules} on a node). By default every rule is on.
   */
  public void maskWith(MaskingRules rules) {
    this.maskingRules = rules == null ? (host, service, method, target) -> MaskingRule.ALL : rules;
  }

  /** The masking rules in force for one request. */
  @FunctionalInterface
  public interface MaskingRules {
    /**
     * @param target the raw request target (only to name the endpoint; never kept)
     * @return a bit mask of {@link MaskingRule#bit()}s
     */
    int rulesFor(String host, String service, String method, String target);
  }

  /** What PII masking did so far. */
  public MaskingCounters maskingCounters() {
    return masker.counters();
  }

  public CaptureCounters counters() {
    return new CaptureCounters(
        events,
        bytes,
        truncatedEvents,
        requestsParsed,
        spansEmitted,
        parseErrors,
        nonHttpConnections,
        headsCut,
        table.size(),
        connectionsOpened,
        connectionsEvicted,
        timeouts,
        unmatchedResponses,
        droppedExchanges,
        internalErrors);
  }

  // ---- events ----

  private void onOpen(CaptureEvent e, ConnectionStream.Role role) {
    boolean failed =
        role == ConnectionStream.Role.SERVER
            ? e.bytes() < 0
            : e.bytes() < 0 && e.bytes() != -EINPROGRESS; // non-blocking connect still connects
    ConnectionStream existing = table.get(e.pid(), e.fd());
    if (failed) {
      return;
    }
    if (existing != null
        && existing.openedBy == CaptureEvent.Type.DATA
        && existing.openedAtNanos >= e.startEpochNanos()) {
      existing.adoptOpening(role, e); // its first DATA overtook this event
      return;
    }
    if (existing != null) {
      closeStream(existing, e.startEpochNanos()); // its CLOSE was lost
    }
    open(e, role, e.endEpochNanos());
  }

  private ConnectionStream open(CaptureEvent e, ConnectionStream.Role role, long openedAt) {
    ConnectionStream s =
        new ConnectionStream(
            table.newKey(e.pid(), e.fd()), role, e, openedAt, settings, observer);
    table.put(s, this::evict);
    connectionsOpened++;
    s.observe(e);
    return s;
  }

  private void onData(CaptureEvent e) {
    if (e.direction() == null || e.direction() == CaptureEvent.Direction.NONE) {
      return;
    }
    if (e.bytes() > 0) {
      bytes += e.bytes();
      if (e.truncated()) {
        truncatedEvents++;
      }
    }
    ConnectionStream s = table.get(e.pid(), e.fd());
    if (s == null) {
      if (e.bytes() <= 0) {
        return; // an error or EOF on a connection we know nothing about
      }
      s = open(e, ConnectionStream.Role.UNKNOWN, e.startEpochNanos());
    } else {
      s.observe(e);
    }
    if (e.bytes() < 0) {
      String error =
          switch ((int) -e.bytes()) {
            case ECONNRESET -> "connection reset";
            case EPIPE -> "broken pipe";
            case ETIMEDOUT -> "connection timed out";
            default -> null; // EAGAIN, EINTR, ...: nothing happened
          };
      if (error != null) {
        s.onFailure(error, e.endEpochNanos());
      }
      return;
    }
    if (e.bytes() == 0) {
      if (e.direction() == CaptureEvent.Direction.INGRESS) {
        s.onEndOfStream(CaptureEvent.Direction.INGRESS);
      }
      return;
    }
    s.onData(e);
  }

  private void onClose(CaptureEvent e) {
    ConnectionStream s = table.get(e.pid(), e.fd());
    if (s == null) {
      return;
    }
    // The fd is freed inside close(), so a close that began before this connection opened
    // belongs to the connection that had the fd before (its event came late).
    if (e.startEpochNanos() < s.openedAtNanos) {
      return;
    }
    s.observe(e);
    closeStream(s, e.endEpochNanos());
  }

  private void closeStream(ConnectionStream s, long timeNanos) {
    s.onClose(timeNanos);
    table.remove(s);
    // Its other end's events may still be on their way: stay findable for stitching a while.
    if (s.addressesComplete()) {
      lingering.addLast(new Lingering(s, Math.max(clockNanos, timeNanos) + lingerNanos));
    }
  }

  private void evict(ConnectionStream s) {
    connectionsEvicted++;
    unindex(s);
    s.drop();
  }

  private void forget(ConnectionStream s) {
    table.remove(s);
    unindex(s);
  }

  private void unindex(ConnectionStream s) {
    if (s.addressesComplete()) {
      String pair = SocketAddresses.pairKey(s.local(), s.remote());
      serversByPair.remove(pair, s);
      clientsByPair.remove(pair, s);
    }
  }

  // ---- time ----

  private void advance(long nowNanos) {
    if (nowNanos > clockNanos) {
      clockNanos = nowNanos;
    }
    while (!awaitingParent.isEmpty()) {
      HttpExchange x = awaitingParent.peek();
      if (x.link.isUndecided() && x.link.graceDeadlineNanos() > clockNanos) {
        break;
      }
      awaitingParent.poll();
      if (x.link.isUndecided()) {
        x.link.startTrace(newTraceId(x.link)); // nobody on this host called it
        decided(x.link);
      }
    }
    while (!lingering.isEmpty() && lingering.peekFirst().untilNanos() <= clockNanos) {
      unindex(lingering.removeFirst().stream());
    }
    if (lastScanNanos == Long.MIN_VALUE || clockNanos - lastScanNanos >= scanPeriodNanos) {
      lastScanNanos = clockNanos;
      scan();
    }
  }

  private void scan() {
    for (ConnectionStream s : table.snapshot()) {
      s.expire(clockNanos, requestTimeoutNanos, settleNanos);
      if (clockNanos - s.lastEventNanos() > idleTimeoutNanos) {
        table.remove(s);
        evict(s);
      }
    }
  }

  // ---- spans ----

  private record Finished(ConnectionStream stream, HttpExchange exchange) {}

  private record Lingering(ConnectionStream stream, long untilNanos) {}

  private void finish(ConnectionStream s, HttpExchange x) {
    if (servingThreads.get(x.threadKey) == x) {
      servingThreads.remove(x.threadKey);
    }
    emitOrWait(new Finished(s, x));
  }

  private void emitOrWait(Finished f) {
    if (f.exchange.link.traceId() == null) {
      TraceLink blocker = f.exchange.link.blocker();
      if (blocker != null) {
        waitingOn.computeIfAbsent(blocker, k -> new ArrayList<>()).add(f);
        return;
      }
      f.exchange.link.startTrace(newTraceId(f.exchange.link)); // a chain too long to follow: only a bug makes one
    }
    emit(f.stream, f.exchange);
  }

  /** A link stopped waiting for a parent: what waited on it goes out (or waits further up). */
  private void decided(TraceLink link) {
    List<Finished> waiting = waitingOn.remove(link);
    if (waiting != null) {
      waiting.forEach(this::emitOrWait);
    }
  }

  private void emit(ConnectionStream s, HttpExchange x) {
    boolean server = s.role() == ConnectionStream.Role.SERVER;
    HttpHead final_ = x.response != null ? x.response.head() : finalResponseHead(x);
    // PII masking, before anything of the request leaves: target, then both excerpts; the raw
    // excerpt bytes are wiped once escaped, and the exchange keeps only the masked target.
    String host = x.host == null ? settings.host() : x.host;
    HttpHead rawHead = x.requestHead;
    int rules = maskingRules.rulesFor(host, x.service, rawHead.method(), rawHead.target());
    String path = masker.mask(rawHead.target(), rules, rawHead.cut());
    if (!path.equals(rawHead.target())) {
      x.requestHead =
          new HttpHead(
              rawHead.method(),
              path,
              rawHead.status(),
              rawHead.contentLength(),
              rawHead.chunked(),
              rawHead.traceparent(),
              rawHead.cut());
    }
    String requestExcerpt = maskedExcerpt(x.request, rules);
    String responseExcerpt = maskedExcerpt(x.response, rules);
    Span span =
        new Span(
            x.link.traceId(),
            x.link.spanId(),
            x.link.parentSpanId(),
            server ? Span.Kind.SERVER : Span.Kind.CLIENT,
            host,
            x.service,
            x.pid,
            rawHead.method(),
            path,
            final_ == null ? 0 : final_.status(),
            server ? x.firstEndNanos : x.firstStartNanos,
            x.endNanos,
            x.request == null ? 0 : x.request.wireBytes(),
            x.responseBytes,
            s.localText(),
            s.remoteText(),
            requestExcerpt,
            responseExcerpt,
            x.error);
    // The exchange may stay remembered for stitching: keep only what matching needs.
    x.request = null;
    x.response = null;
    spansEmitted++;
    sink.accept(span);
    boolean remoteEndPossible =
        server ? span.parentSpanId() == null : !x.parentOfStitchedServer;
    if (remoteEndPossible && s.addressesComplete() && x.requestHead != null) {
      links.accept(
          new ConnectionLink(
              server ? ConnectionLink.Side.SERVER : ConnectionLink.Side.CLIENT,
              server ? s.remoteText() : s.localText(),
              server ? s.localText() : s.remoteText(),
              x.ordinal,
              span.startEpochNanos(),
              span.endEpochNanos(),
              span.method(),
              span.path(),
              span.traceId(),
              span.spanId(),
              span.host()));
    }
  }

  /**
   * The message's excerpt masked and escaped; the raw bytes are overwritten afterwards, so no copy
   * of them outlives the span. A message whose excerpt holds fewer bytes than went over the wire
   * was cut: a value running into its end is masked as far as it goes.
   */
  private String maskedExcerpt(HttpMessage message, int rules) {
    if (message == null) {
      return "";
    }
    byte[] raw = message.excerpt();
    if (raw == null || raw.length == 0) {
      return "";
    }
    String text = excerpts.escape(masker.mask(raw, rules, raw.length < message.wireBytes()));
    Arrays.fill(raw, (byte) 0);
    return text;
  }

  /** A final response head seen before a reset or a timeout: the status did arrive. */
  private static HttpHead finalResponseHead(HttpExchange x) {
    HttpHead h = x.responseHead;
    return h == null || h.isInterim() ? null : h;
  }

  private String serverService(ConnectionStream s) {
    int port = s.localPort();
    return port == 0 ? s.comm() : s.comm() + ":" + port;
  }

  private static long threadKey(int pid, int tid) {
    return ((long) pid << 32) | (tid & 0xffffffffL);
  }

  /**
   * A request's span id, derived from what the capture saw of it (process, socket, the time its
   * first byte moved, role) and this assembler's salt, never drawn at random: a node that takes a
   * pinned capture over and re-reads a request (handover) gives it the id its predecessor gave
   * it, so a span sent twice is one span to its trace entity.
   */
  private String newSpanId(ConnectionStream s, HttpExchange x, CaptureEvent e) {
    long start = x.firstStartNanos != 0 ? x.firstStartNanos : e.startEpochNanos();
    long h = mix(salt ^ mix(((long) e.pid() << 32) ^ (e.fd() & 0xffffffffL)));
    h = mix(h ^ start);
    h = mix(h ^ (s.role() == ConnectionStream.Role.SERVER ? 0x53L : 0x43L));
    return hex16(h == 0 ? 1 : h);
  }

  /** The trace a request without a parent starts: derived from its span id, like the span id. */
  private String newTraceId(TraceLink link) {
    long base = Long.parseUnsignedLong(link.spanId(), 16);
    long hi = mix(base ^ salt ^ 0x7472616365L);
    long lo = mix(hi ^ base);
    return hex16(hi) + hex16(lo == 0 && hi == 0 ? 1 : lo);
  }

  /** SplitMix64's finalizer: every input bit reaches every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return "0".repeat(16 - h.length()) + h;
  }

  /** What connection streams report, kept off the public API. */
  private final class Observer implements ConnectionStream.Observer {

    @Override
    public void requestHead(ConnectionStream s, HttpExchange x, CaptureEvent e) {
      requestsParsed++;
      x.threadKey = threadKey(e.pid(), e.tid());
      x.host = hostNames.hostOf(e.pid()); // now, while the process surely lives
      TraceParent header = TraceParent.parse(x.requestHead.traceparent());
      TraceLink link = new TraceLink(newSpanId(s, x, e));
      x.link = link;
      if (s.role() == ConnectionStream.Role.SERVER) {
        x.service = serverService(s);
        if (header != null) {
          link.continueTrace(header);
        } else if (!stitchToLocalClient(s, x)) {
          link.awaitParent(x.firstEndNanos + graceNanos);
          awaitingParent.add(x);
        }
        servingThreads.put(x.threadKey, x);
      } else {
        HttpExchange serving = servingThreads.get(x.threadKey);
        x.service = serving == null ? s.comm() : serving.service;
        if (header != null) {
          link.continueTrace(header);
        } else if (serving != null) {
          link.childOf(serving.link);
        } else {
          link.startTrace(newTraceId(link));
        }
        stitchToLocalServer(s, x);
      }
    }

    /** The client end of this server connection, if captured here: its request is our parent. */
    private boolean stitchToLocalClient(ConnectionStream server, HttpExchange x) {
      if (!server.addressesComplete()) {
        return false;
      }
      ConnectionStream client = clientsByPair.get(SocketAddresses.pairKey(server.remote(), server.local()));
      if (client == null) {
        return false;
      }
      for (HttpExchange c : client.recentExchanges()) {
        if (!c.parentOfStitchedServer && c.link != null && c.sameRequestAs(x)) {
          c.parentOfStitchedServer = true;
          x.link.childOf(c.link);
          return true;
        }
      }
      return false;
    }

    /** A server request on this host that arrived before its client's events did. */
    private void stitchToLocalServer(ConnectionStream client, HttpExchange c) {
      if (!client.addressesComplete()) {
        return;
      }
      ConnectionStream server = serversByPair.get(SocketAddresses.pairKey(client.remote(), client.local()));
      if (server == null) {
        return;
      }
      for (HttpExchange x : server.recentExchanges()) {
        if (x.link != null && x.link.isUndecided() && x.sameRequestAs(c)) {
          c.parentOfStitchedServer = true;
          x.link.childOf(c.link);
          decided(x.link);
          return;
        }
      }
    }

    @Override
    public void exchangeDone(ConnectionStream s, HttpExchange x) {
      finish(s, x);
    }

    @Override
    public void exchangeTimedOut(ConnectionStream s, HttpExchange x) {
      timeouts++;
      finish(s, x);
    }

    @Override
    public void exchangeDropped(ConnectionStream s, HttpExchange x) {
      droppedExchanges++;
      if (x.link != null && servingThreads.get(x.threadKey) == x) {
        servingThreads.remove(x.threadKey);
      }
    }

    @Override
    public void streamBroken(ConnectionStream s, String reason, boolean spokeHttp) {
      if (spokeHttp) {
        parseErrors++;
      } else {
        nonHttpConnections++;
      }
    }

    @Override
    public void headCut() {
      headsCut++;
    }

    @Override
    public void unmatchedResponse(ConnectionStream s) {
      unmatchedResponses++;
    }

    @Override
    public void identified(ConnectionStream s) {
      String pair = SocketAddresses.pairKey(s.local(), s.remote());
      (s.role() == ConnectionStream.Role.SERVER ? serversByPair : clientsByPair).put(pair, s);
    }
  }
}
