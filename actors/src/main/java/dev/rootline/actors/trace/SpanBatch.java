package dev.rootline.actors.trace;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.Span;
import java.util.List;

/**
 * The spans of one trace that one capture node saw within a short local quiet time: the unit of
 * reliable delivery from a capture node to the trace's entity. One batch per trace per capture
 * node (usually), so a trace entity confirming a batch only after its decision never holds back
 * the next span of a trace behind a quiet period.
 */
public record SpanBatch(String traceId, List<Span> spans) implements CborSerializable {
  public SpanBatch {
    spans = spans == null ? List.of() : List.copyOf(spans);
  }
}
