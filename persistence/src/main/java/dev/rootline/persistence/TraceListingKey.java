package dev.rootline.persistence;

import java.util.List;

/**
 * Where a retained trace is listed on the read side: its start time (which, with the trace id,
 * keys its {@code traces_by_time} row and, with the UTC day of it, the partition) and the services
 * that each have a {@code traces_by_service} row at that start time. A re-decision whose start time
 * or services differ has to remove the rows this names, or the trace is listed twice.
 *
 * @param startEpochNanos the listed start: the earliest span's start (see {@link
 *     RetainedTrace#summary()})
 * @param services the services listed, one row each
 */
public record TraceListingKey(long startEpochNanos, List<String> services) {

  public TraceListingKey {
    services = services == null ? List.of() : List.copyOf(services);
  }

  /** How {@code trace} is listed. */
  public static TraceListingKey of(RetainedTrace trace) {
    TraceSummary summary = trace.summary();
    return new TraceListingKey(summary.startEpochNanos(), summary.services());
  }
}
