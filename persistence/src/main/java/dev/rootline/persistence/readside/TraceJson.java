package dev.rootline.persistence.readside;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.rootline.persistence.RetainedTrace;

/** A retained trace as JSON in the read side's {@code traces} table (see {@link ReadSideJson}). */
public final class TraceJson {

  private static final TypeReference<RetainedTrace> TRACE = new TypeReference<>() {};

  private TraceJson() {}

  public static String write(RetainedTrace trace) {
    return ReadSideJson.write(trace, "trace " + trace.traceId());
  }

  public static RetainedTrace read(String json) {
    return ReadSideJson.read(json, TRACE, "trace");
  }
}
