package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootline.persistence.RetainedTrace;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TraceJsonTest {

  @Test
  void aRetainedTraceSurvivesTheRoundTrip() {
    RetainedTrace trace = Traces.trace(Instant.parse("2026-11-27T10:00:00Z"), "python3:8081", 500, "python3:8082", "java:9000");
    String json = TraceJson.write(trace);
    assertThat(json).contains("\"traceId\":\"" + trace.traceId() + "\"").contains("\"kind\":\"CLIENT\"");
    assertThat(TraceJson.read(json)).isEqualTo(trace);
  }

  @Test
  void unknownFieldsAreIgnoredAndGarbageIsAClearError() {
    RetainedTrace trace = Traces.trace(Instant.parse("2026-11-27T10:00:00Z"), "java:9000", 200);
    String json = TraceJson.write(trace).replaceFirst("\\{", "{\"addedLater\":1,");
    assertThat(TraceJson.read(json)).isEqualTo(trace);
    assertThatThrownBy(() -> TraceJson.read("{not json")).hasMessageContaining("not valid JSON");
  }
}
