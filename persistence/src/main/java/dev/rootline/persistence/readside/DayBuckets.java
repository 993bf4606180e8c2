package dev.rootline.persistence.readside;

import dev.rootline.persistence.TraceFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side partitions traces by the UTC day they started on, so a time-ordered list is a walk
 * over day partitions, newest first.
 */
public final class DayBuckets {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private DayBuckets() {}

  /** The UTC day of an instant given in nanoseconds since the epoch. */
  public static LocalDate dayOf(long epochNanos) {
    return LocalDate.ofEpochDay(Math.floorDiv(Math.floorDiv(epochNanos, NANOS_PER_SECOND), 86_400L));
  }

  public static long epochNanos(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
  }

  /**
   * The day buckets a list with this filter reads, newest first: from the day of {@code to} (or
   * today, whichever is earlier; nothing starts in the future) back to the day of {@code from}, at
   * most {@code maxDays} of them.
   */
  public static List<LocalDate> newestFirst(TraceFilter filter, Instant now, int maxDays) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate newest = today;
    if (filter.to() != null) {
      // "to" is exclusive: a trace starting exactly at midnight belongs to the next day.
      LocalDate lastDay = dayOf(epochNanos(filter.to()) - 1);
      newest = lastDay.isBefore(today) ? lastDay : today;
    }
    LocalDate oldest = newest.minusDays(maxDays - 1L);
    if (filter.from() != null) {
      LocalDate firstDay = LocalDate.ofInstant(filter.from(), ZoneOffset.UTC);
      oldest = firstDay.isAfter(oldest) ? firstDay : oldest;
    }
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = newest; !d.isBefore(oldest); d = d.minusDays(1)) {
      days.add(d);
    }
    return days;
  }

  /** Inclusive lower bound in epoch nanos of the filter's time range (Long.MIN_VALUE if open). */
  public static long fromNanos(TraceFilter filter) {
    return filter.from() == null ? Long.MIN_VALUE : epochNanos(filter.from());
  }

  /** Exclusive upper bound in epoch nanos of the filter's time range (Long.MAX_VALUE if open). */
  public static long toNanos(TraceFilter filter) {
    return filter.to() == null ? Long.MAX_VALUE : epochNanos(filter.to());
  }
}
