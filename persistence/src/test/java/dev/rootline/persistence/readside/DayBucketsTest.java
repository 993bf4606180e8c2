package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.TraceFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DayBucketsTest {

  private static final Instant NOW = Instant.parse("2026-11-27T10:15:00Z");

  @Test
  void dayOfIsTheUtcDayIncludingBeforeTheEpoch() {
    assertThat(DayBuckets.dayOf(0)).isEqualTo(LocalDate.of(1970, 1, 1));
    assertThat(DayBuckets.dayOf(-1)).isEqualTo(LocalDate.of(1969, 12, 31));
    assertThat(DayBuckets.dayOf(DayBuckets.epochNanos(Instant.parse("2026-11-27T23:59:59.999999999Z"))))
        .isEqualTo(LocalDate.of(2026, 11, 27));
    assertThat(DayBuckets.dayOf(DayBuckets.epochNanos(Instant.parse("2026-11-28T00:00:00Z"))))
        .isEqualTo(LocalDate.of(2026, 11, 28));
  }

  @Test
  void timeRangeBoundsAreOpenWhenTheFilterIsOpen() {
    TraceFilter open = filter(null, null);
    assertThat(DayBuckets.fromNanos(open)).isEqualTo(Long.MIN_VALUE);
    assertThat(DayBuckets.toNanos(open)).isEqualTo(Long.MAX_VALUE);
    TraceFilter closed = filter("2026-11-27T10:00:00.000000001Z", "2026-11-27T10:00:01Z");
    assertThat(DayBuckets.fromNanos(closed)).isEqualTo(1_795_773_600_000_000_001L);
    assertThat(DayBuckets.toNanos(closed)).isEqualTo(1_795_773_601_000_000_000L);
  }

  static Stream<Arguments> walks() {
    return Stream.of(
        // from, to, max days, expected days newest first
        Arguments.of(null, null, 3, List.of("2026-11-27", "2026-11-26", "2026-11-25")),
        Arguments.of(null, null, 1, List.of("2026-11-27")),
        Arguments.of("2026-11-26T23:00:00Z", null, 7, List.of("2026-11-27", "2026-11-26")),
        Arguments.of("2026-11-27T09:00:00Z", null, 7, List.of("2026-11-27")),
        // "to" is exclusive: a range ending at midnight does not read the day that starts there.
        Arguments.of(null, "2026-11-26T00:00:00Z", 2, List.of("2026-11-25", "2026-11-24")),
        Arguments.of(null, "2026-11-26T00:00:00.000000001Z", 2, List.of("2026-11-26", "2026-11-25")),
        // A "to" in the future starts at today: nothing starts in the future.
        Arguments.of(null, "2027-01-01T00:00:00Z", 2, List.of("2026-11-27", "2026-11-26")),
        Arguments.of("2026-11-20T00:00:00Z", "2026-11-22T12:00:00Z", 7, List.of("2026-11-22", "2026-11-21", "2026-11-20")),
        Arguments.of("2026-11-01T00:00:00Z", "2026-11-22T12:00:00Z", 2, List.of("2026-11-22", "2026-11-21")),
        // A range entirely in the future reads nothing.
        Arguments.of("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", 7, List.of()));
  }

  @ParameterizedTest
  @MethodSource("walks")
  void newestFirstWalksBackFromToOrTodayToFromOrTheMaximum(String from, String to, int maxDays, List<String> days) {
    assertThat(DayBuckets.newestFirst(filter(from, to), NOW, maxDays))
        .containsExactlyElementsOf(days.stream().map(LocalDate::parse).toList());
  }

  private static TraceFilter filter(String from, String to) {
    return new TraceFilter(null, from == null ? null : Instant.parse(from), to == null ? null : Instant.parse(to), 10);
  }
}
