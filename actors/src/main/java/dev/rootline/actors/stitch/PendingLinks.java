package dev.rootline.actors.stitch;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;

/**
 * The unmatched accounts of one connection's requests, from both ends, until the other end's
 * account arrives or they expire. Pure and single-threaded (owned by a {@link ConnectionEntity});
 * time is passed in.
 *
 * <p>Two accounts describe the same request when the method agrees, the targets agree (one may be
 * a prefix of the other: either capture may have cut it), and the server's span lies within the
 * client's (the client writes before the server reads and reads the last byte after the server
 * wrote it). Requests on one HTTP/1.x connection follow each other, so that window tells
 * keep-alive requests apart. How much the window may be stretched depends on the ordinals (the
 * request's place on the connection): when both ends number it the same, by the clocks' skew;
 * when they do not (one capture started mid-connection), by at most {@value #UNORDERED_SLACK_NANOS}
 * ns, so that an account whose partner has not arrived yet does not take a neighbour's. Among
 * several candidates the same ordinal wins, then the closest start. The window also keeps a port
 * reused by a later connection from pairing with an old, unmatched account.
 */
final class PendingLinks {

  /** One syscall's worth: a write may return after the reader on the other end already did. */
  static final long UNORDERED_SLACK_NANOS = 1_000_000L;

  /** Two accounts that describe one request. */
  record Match(ConnectionLink client, ConnectionLink server) {}

  private record Pending(ConnectionLink link, long expiresAtNanos) {}

  private final ArrayDeque<Pending> clients = new ArrayDeque<>();
  private final ArrayDeque<Pending> servers = new ArrayDeque<>();
  private final long ttlNanos;
  private final long skewNanos;
  private final int maxPerSide;
  private long expired;
  private long displaced;

  PendingLinks(long ttlNanos, long skewNanos, int maxPerSide) {
    this.ttlNanos = ttlNanos;
    this.skewNanos = skewNanos;
    this.maxPerSide = maxPerSide;
  }

  /**
   * One end's account: the other end's matching account, removed from the pending ones, or
   * empty (and this account is kept until {@code nowNanos + ttl}).
   */
  Optional<Match> offer(ConnectionLink link, long nowNanos) {
    boolean fromClient = link.side() == ConnectionLink.Side.CLIENT;
    ArrayDeque<Pending> others = fromClient ? servers : clients;
    Pending best = null;
    for (Pending p : others) {
      ConnectionLink client = fromClient ? link : p.link;
      ConnectionLink server = fromClient ? p.link : link;
      long slack = client.ordinal() == server.ordinal() ? skewNanos : Math.min(skewNanos, UNORDERED_SLACK_NANOS);
      if (sameRequest(client, server, slack) && (best == null || better(link, p.link, best.link))) {
        best = p;
      }
    }
    if (best != null) {
      others.remove(best);
      return Optional.of(
          fromClient ? new Match(link, best.link) : new Match(best.link, link));
    }
    ArrayDeque<Pending> own = fromClient ? clients : servers;
    if (own.size() >= maxPerSide) {
      own.removeFirst();
      displaced++;
    }
    own.addLast(new Pending(link, nowNanos + ttlNanos));
    return Optional.empty();
  }

  /** Forgets accounts whose other end did not come in time; returns how many. */
  int expire(long nowNanos) {
    return expire(clients, nowNanos) + expire(servers, nowNanos);
  }

  boolean isEmpty() {
    return clients.isEmpty() && servers.isEmpty();
  }

  int size() {
    return clients.size() + servers.size();
  }

  /** Accounts that expired unmatched so far. */
  long expired() {
    return expired;
  }

  /** Accounts pushed out unmatched by newer ones (more than max-pending on one end). */
  long displaced() {
    return displaced;
  }

  private int expire(ArrayDeque<Pending> side, long nowNanos) {
    int n = 0;
    for (Iterator<Pending> it = side.iterator(); it.hasNext(); ) {
      if (it.next().expiresAtNanos <= nowNanos) {
        it.remove();
        n++;
      }
    }
    expired += n;
    return n;
  }

  private static boolean sameRequest(ConnectionLink client, ConnectionLink server, long slack) {
    return client.method().equals(server.method())
        && sameTarget(client.target(), server.target())
        && server.startEpochNanos() >= client.startEpochNanos() - slack
        && server.endEpochNanos() <= client.endEpochNanos() + slack;
  }

  private static boolean sameTarget(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    String shorter = a.length() < b.length() ? a : b;
    String longer = a.length() < b.length() ? b : a;
    return !shorter.isEmpty() && longer.startsWith(shorter);
  }

  /** Whether candidate {@code a} fits {@code link} better than candidate {@code b}. */
  private static boolean better(ConnectionLink link, ConnectionLink a, ConnectionLink b) {
    boolean aSame = a.ordinal() == link.ordinal();
    boolean bSame = b.ordinal() == link.ordinal();
    if (aSame != bSame) {
      return aSame;
    }
    return Math.abs(a.startEpochNanos() - link.startEpochNanos())
        < Math.abs(b.startEpochNanos() - link.startEpochNanos());
  }
}
