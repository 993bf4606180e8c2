package dev.rootline.actors.feedback;

import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import java.util.List;

/**
 * One feedback on its way from the Issue entity to the models (labels) and the policy tuner.
 *
 * @param feedback what was said
 * @param summary the issue after it (service, endpoint, kind, status)
 * @param ranking the issue's ranked root causes when the feedback was given
 * @param labels the labelled rankings it yields for the root-cause model (none for noise)
 */
public record RoutedFeedback(
    IssueFeedback feedback, IssueSummary summary, List<RootCause> ranking, List<RankingLabel> labels) {

  public RoutedFeedback {
    ranking = List.copyOf(ranking);
    labels = List.copyOf(labels);
  }
}
