package dev.rootline.actors.stitch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.stitch.ConnectionLink.Side;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PendingLinksTest {

  private static final long MS = 1_000_000L;
  private static final long TTL = 10_000 * MS;
  private static final long SKEW = 50 * MS;

  private final PendingLinks pending = new PendingLinks(TTL, SKEW, 4);

  @Test
  void theTwoEndsOfOneRequestMatchWhicheverComesFirst() {
    ConnectionLink client = client(1, 0, 100, "/stock/7", "c1");
    ConnectionLink server = server(1, 5, 90, "/stock/7", "s1");

    assertThat(pending.offer(server, 0)).isEmpty();
    assertThat(pending.offer(client, 1)).contains(new PendingLinks.Match(client, server));
    assertThat(pending.isEmpty()).isTrue();

    assertThat(pending.offer(client, 2)).isEmpty();
    assertThat(pending.offer(server, 3)).contains(new PendingLinks.Match(client, server));
  }

  @Test
  void keepAliveRequestsPairInOrderEvenWhenTheirAccountsArriveScrambled() {
    // three requests 2 ms apart on one connection: within the skew of each other
    ConnectionLink c1 = client(1, 0, 1, "/a", "c1");
    ConnectionLink c2 = client(2, 2, 3, "/a", "c2");
    ConnectionLink c3 = client(3, 4, 5, "/a", "c3");
    ConnectionLink s1 = server(1, 0, 1, "/a", "s1");
    ConnectionLink s2 = server(2, 2, 3, "/a", "s2");
    ConnectionLink s3 = server(3, 4, 5, "/a", "s3");

    assertThat(pending.offer(s3, 0)).isEmpty();
    assertThat(pending.offer(s1, 0)).isEmpty();
    assertThat(pending.offer(c2, 0)).isEmpty();
    assertThat(pending.offer(c1, 0).map(m -> m.server().spanId())).contains("s1");
    assertThat(pending.offer(s2, 0).map(m -> m.client().spanId())).contains("c2");
    assertThat(pending.offer(c3, 0).map(m -> m.server().spanId())).contains("s3");
    assertThat(pending.isEmpty()).isTrue();
  }

  @Test
  void withoutAgreeingOrdinalsTheClosestStartWins() {
    // the server's capture started mid-connection: its ordinals are 2 behind
    ConnectionLink c3 = client(3, 0, 1, "/a", "c3");
    ConnectionLink c4 = client(4, 200, 201, "/a", "c4");
    pending.offer(c3, 0);
    pending.offer(c4, 0);

    assertThat(pending.offer(server(2, 200, 200, "/a", "s"), 0).map(m -> m.client().spanId()))
        .contains("c4");
  }

  static Stream<Arguments> notTheSameRequest() {
    ConnectionLink client = client(1, 1000, 1100, "/stock/7", "c");
    return Stream.of(
        Arguments.of("another method", client, withMethod(server(1, 1010, 1090, "/stock/7", "s"), "POST")),
        Arguments.of("another target", client, server(1, 1010, 1090, "/stock/8", "s")),
        Arguments.of("server starts before the client wrote", client, server(1, 900, 1090, "/stock/7", "s")),
        Arguments.of("server ends after the client read", client, server(1, 1010, 1200, "/stock/7", "s")),
        // a reused port: an old unmatched account of a connection that had the same addresses
        Arguments.of("a reused port, seconds earlier", client, server(1, 1000 - 5000, 1090 - 5000, "/stock/7", "s")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notTheSameRequest")
  void accountsThatDoNotDescribeOneRequestWait(String why, ConnectionLink client, ConnectionLink server) {
    assertThat(pending.offer(server, 0)).isEmpty();
    assertThat(pending.offer(client, 0)).isEmpty();
    assertThat(pending.size()).isEqualTo(2);
  }

  @Test
  void clocksMayDisagreeByTheSkew() {
    ConnectionLink client = client(1, 1000, 1100, "/a", "c");
    assertThat(pending.offer(server(1, 1000 - 40, 1100 + 40, "/a", "s"), 0)).isEmpty();
    assertThat(pending.offer(client, 0)).isPresent();
  }

  @Test
  void aTargetCutByOneCaptureMatchesOnItsPrefix() {
    pending.offer(server(1, 10, 20, "/search?q=aaaa", "s"), 0);
    assertThat(pending.offer(client(1, 0, 30, "/search?q=aaaaaaaaaaaaaaaaaaaa", "c"), 0)).isPresent();
  }

  @Test
  void unmatchedAccountsExpireAndTheOldestMakeRoomBeyondTheLimit() {
    pending.offer(client(1, 0, 1, "/a", "c1"), 0);
    pending.offer(client(2, 2, 3, "/a", "c2"), 5 * MS);
    assertThat(pending.expire(TTL - 1)).isZero();
    assertThat(pending.expire(TTL)).isEqualTo(1);
    assertThat(pending.expire(TTL + 5 * MS)).isEqualTo(1);
    assertThat(pending.isEmpty()).isTrue();
    assertThat(pending.expired()).isEqualTo(2);

    for (int i = 1; i <= 6; i++) {
      pending.offer(server(i, i * 1000, i * 1000 + 1, "/b", "s" + i), 0);
    }
    assertThat(pending.size()).isEqualTo(4);
    assertThat(pending.displaced()).isEqualTo(2);
    Optional<PendingLinks.Match> first = pending.offer(client(1, 1000, 1002, "/b", "c"), 0);
    assertThat(first).as("the oldest was pushed out").isEmpty();
  }

  // ---- builders ----

  static ConnectionLink client(int ordinal, long startMs, long endMs, String target, String spanId) {
    return link(Side.CLIENT, ordinal, startMs, endMs, target, "trace-" + spanId, spanId);
  }

  static ConnectionLink server(int ordinal, long startMs, long endMs, String target, String spanId) {
    return link(Side.SERVER, ordinal, startMs, endMs, target, "trace-" + spanId, spanId);
  }

  static ConnectionLink link(
      Side side, int ordinal, long startMs, long endMs, String target, String traceId, String spanId) {
    return new ConnectionLink(side, "10.200.0.1:41000", "10.200.0.2:8081", ordinal,
        1_700_000_000_000_000_000L + startMs * MS, 1_700_000_000_000_000_000L + endMs * MS,
        "GET", target, traceId, spanId, side == Side.CLIENT ? "h1" : "h2");
  }

  static ConnectionLink withMethod(ConnectionLink l, String method) {
    return new ConnectionLink(l.side(), l.client(), l.server(), l.ordinal(), l.startEpochNanos(),
        l.endEpochNanos(), method, l.target(), l.traceId(), l.spanId(), l.host());
  }
}
