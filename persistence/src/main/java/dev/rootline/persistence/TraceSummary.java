package dev.rootline.persistence;

import java.util.List;

/** One line of the trace list: what the API's list and the live stream show. */
public record TraceSummary(
    String traceId,
    long startEpochNanos,
    long durationNanos,
    String rootService,
    String rootMethod,
    String rootPath,
    int rootStatus,
    int spanCount,
    List<String> services,
    double anomalyScore,
    List<String> reasons,
    long decidedAtEpochMillis)
    implements CborSerializable {

  public TraceSummary {
    services = List.copyOf(services);
    reasons = List.copyOf(reasons);
  }
}
