package dev.rootline.actors.inference;

import dev.rootline.persistence.CborSerializable;
import java.util.List;

/**
 * One ranking an operator judged: the candidates of one occurrence of an issue (each with the
 * evidence vector the ranker scored) and what the feedback said of them. Feedback on an issue
 * yields one label per recent occurrence whose candidates carry vectors.
 *
 * @param issueId the issue the feedback was given on (held-back splits are by issue)
 * @param traceId the occurrence's trace
 * @param keys candidate keys ("LEVEL|subject"), in ranking order
 * @param vectors their evidence vectors, same order, {@link CandidateEvidence#DIMENSIONS} each
 * @param confirmedKey the candidate confirmed as the root cause, or null (a rejection, or a cause
 *     named that was not among the candidates: then every listed candidate is a negative)
 * @param rejectedKeys candidates said not to be the root cause
 * @param feedbackId the feedback this label came from
 * @param atMillis when the feedback was given
 */
public record RankingLabel(
    String issueId,
    String traceId,
    List<String> keys,
    List<double[]> vectors,
    String confirmedKey,
    List<String> rejectedKeys,
    String feedbackId,
    long atMillis)
    implements CborSerializable {

  public RankingLabel {
    keys = List.copyOf(keys);
    vectors = List.copyOf(vectors);
    rejectedKeys = rejectedKeys == null ? List.of() : List.copyOf(rejectedKeys);
    if (keys.size() != vectors.size()) {
      throw new IllegalArgumentException("one vector per candidate key");
    }
  }

  /** True when the confirmed cause is among the candidates: the label can score a ranking (AC@k). */
  public boolean rankable() {
    return confirmedKey != null && keys.contains(confirmedKey);
  }
}
