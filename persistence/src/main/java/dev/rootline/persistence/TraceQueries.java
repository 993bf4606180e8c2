package dev.rootline.persistence;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The read side the API lists retained traces from. */
public interface TraceQueries {

  /** Retained traces matching the filter, newest first. */
  CompletionStage<List<TraceSummary>> list(TraceFilter filter);

  /** One retained trace with all its spans, or empty when no such trace was retained. */
  CompletionStage<Optional<RetainedTrace>> get(String traceId);
}
