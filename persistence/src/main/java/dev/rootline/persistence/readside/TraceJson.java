package dev.rootline.persistence.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rootline.persistence.RetainedTrace;

/**
 * A retained trace as JSON in the read side's {@code traces} table: readable with cqlsh, and
 * independent of the journal's CBOR so the read side can be rebuilt with another encoding.
 */
public final class TraceJson {

  // Derived accessors such as Span.isFailure() are written too; reading ignores them.
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private TraceJson() {}

  public static String write(RetainedTrace trace) {
    try {
      return MAPPER.writeValueAsString(trace);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write trace " + trace.traceId() + " as JSON", e);
    }
  }

  public static RetainedTrace read(String json) {
    try {
      return MAPPER.readValue(json, RetainedTrace.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("stored trace is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
