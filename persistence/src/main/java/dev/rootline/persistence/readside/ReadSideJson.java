package dev.rootline.persistence.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Values kept as JSON text in read-side columns: readable with cqlsh, and independent of the
 * journal's CBOR so the read side can be rebuilt with another encoding.
 */
final class ReadSideJson {

  // Derived accessors (Span.isFailure(), ...) are written too; reading ignores them.
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private ReadSideJson() {}

  static String write(Object value, String what) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + what + " as JSON", e);
    }
  }

  static <T> T read(String json, TypeReference<T> type, String what) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("stored " + what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
