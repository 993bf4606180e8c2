package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TraceEvent;
import dev.rootline.persistence.TraceListingKey;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ListingMoveTest {

  static Stream<Arguments> moves() {
    return Stream.of(
        // name, from, to, stale time row, stale service rows
        Arguments.of("first version", null, key(100, "cart"), OptionalLong.empty(), List.of()),
        Arguments.of("same start, same services", key(100, "cart"), key(100, "cart"), OptionalLong.empty(), List.of()),
        Arguments.of("same start, a service more", key(100, "cart"), key(100, "cart", "frontend"), OptionalLong.empty(), List.of()),
        Arguments.of("same start, a service less", key(100, "cart", "stock"), key(100, "cart"), OptionalLong.empty(), List.of("stock")),
        Arguments.of("earlier start: every old row", key(100, "cart"), key(40, "cart", "frontend"), OptionalLong.of(100), List.of("cart")),
        Arguments.of("earlier start, services gone", key(100, "cart", "stock"), key(40, "frontend"), OptionalLong.of(100), List.of("cart", "stock")),
        Arguments.of("later start (a span replaced)", key(40, "cart"), key(100, "cart"), OptionalLong.of(40), List.of("cart")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("moves")
  void staleRowsAreThoseThePreviousVersionWasListedUnderAndThisOneDoesNotWrite(
      String name, TraceListingKey from, TraceListingKey to, OptionalLong staleTime, List<String> staleServices) {
    ListingMove move = new ListingMove(from, to);

    assertThat(move.staleTimeRow()).isEqualTo(staleTime);
    assertThat(move.staleServiceRows()).containsExactlyElementsOf(staleServices);
  }

  @Test
  void aReDecisionThatFoundTheRealRootMovesTheListingToItsStart() {
    Instant start = Instant.parse("2026-11-27T08:00:00Z");
    // First decided on the cart's 500 alone; then the frontend's earlier root span arrived.
    RetainedTrace full = Traces.trace(start, "python3:8081", 500, "python3:8082");
    RetainedTrace cartOnly =
        new RetainedTrace(full.traceId(), List.of(full.spans().get(2)), 0.9, List.of("status 500"), 1);

    ListingMove move = ListingMove.of(TraceEvent.TraceRetained.after(cartOnly, full));

    assertThat(move.from()).isEqualTo(TraceListingKey.of(cartOnly));
    assertThat(move.to().startEpochNanos()).isEqualTo(full.summary().startEpochNanos());
    assertThat(move.staleTimeRow()).hasValue(cartOnly.summary().startEpochNanos());
    assertThat(move.staleServiceRows()).containsExactly("python3:8082");
  }

  @Test
  void eventsWrittenBeforeTheyNamedTheirPredecessorMoveNothing() {
    RetainedTrace trace = Traces.trace(Instant.parse("2026-11-27T08:00:00Z"), "python3:8081", 500);

    ListingMove move = ListingMove.of(new TraceEvent.TraceRetained(trace));

    assertThat(move.staleTimeRow()).isEmpty();
    assertThat(move.staleServiceRows()).isEmpty();
  }

  private static TraceListingKey key(long start, String... services) {
    return new TraceListingKey(start, List.of(services));
  }
}
