package dev.rootline.actors.feedback;

import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one feedback into labelled rankings for the root-cause model: one per recent occurrence
 * of the issue whose candidates carry their evidence vectors (newest first, at most {@code max}).
 *
 * <ul>
 *   <li>confirm / name a cause: that candidate is the positive, every other listed one a negative
 *       (when the named cause is not listed in an occurrence, all its candidates are negatives);
 *   <li>reject: only that candidate, a negative, in the occurrences that list it;
 *   <li>noise: no labels (it tunes policies, not the ranking).
 * </ul>
 */
public final class FeedbackLabels {

  private FeedbackLabels() {}

  /**
   * @param issueId the issue
   * @param recentRankings the issue's recent occurrences' rankings, oldest first
   * @param recentTraceIds the issue's recent trace ids, oldest first (aligned by their ends)
   */
  public static List<RankingLabel> of(
      String issueId, IssueFeedback f, List<List<RootCause>> recentRankings, List<String> recentTraceIds, int max) {
    String key = f.candidateKey();
    if (f.kind() == IssueFeedback.Kind.NOISE || key == null) {
      return List.of();
    }
    List<RankingLabel> out = new ArrayList<>();
    for (int i = recentRankings.size() - 1; i >= 0 && out.size() < max; i--) {
      List<String> keys = new ArrayList<>();
      List<double[]> vectors = new ArrayList<>();
      for (RootCause c : recentRankings.get(i)) {
        double[] v = c.features();
        if (v != null && v.length == CandidateEvidence.DIMENSIONS) {
          keys.add(c.key());
          vectors.add(v);
        }
      }
      if (keys.isEmpty()) {
        continue;
      }
      int traceAt = recentTraceIds.size() - (recentRankings.size() - i);
      String traceId = traceAt >= 0 ? recentTraceIds.get(traceAt) : issueId + "#" + i;
      if (f.kind() == IssueFeedback.Kind.REJECT) {
        if (keys.contains(key)) {
          out.add(new RankingLabel(issueId, traceId, keys, vectors, null, List.of(key), f.feedbackId(), f.atMillis()));
        }
      } else {
        out.add(new RankingLabel(issueId, traceId, keys, vectors, key, List.of(), f.feedbackId(), f.atMillis()));
      }
    }
    return out;
  }
}
