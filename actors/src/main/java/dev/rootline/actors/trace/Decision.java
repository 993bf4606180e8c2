package dev.rootline.actors.trace;

import dev.rootline.persistence.CborSerializable;
import java.util.List;

/**
 * What the scorer decided about a completed trace.
 *
 * @param retain keep it (persist) rather than only count it
 * @param anomalyScore the endpoint model's score in [0, 1], 0 when no model was ready
 * @param reasons why it is retained, in words; empty when it is not
 * @param modelVersion the version of the endpoint model that scored it, 0 when none
 */
public record Decision(boolean retain, double anomalyScore, List<String> reasons, long modelVersion)
    implements CborSerializable {

  public Decision {
    reasons = List.copyOf(reasons);
  }
}
