package dev.rootline.actors.feedback;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Where the Issue entity sends a recorded feedback: the model's labels and the policy tuner
 * ({@link FeedbackRouter} on a trace node). The entity retries until the returned stage completes
 * normally, also after a restart, so a sink sees a feedback at least once and must tolerate
 * repeats (both receivers deduplicate by feedback id).
 */
@FunctionalInterface
public interface FeedbackSink {

  CompletionStage<Done> route(RoutedFeedback feedback);

  /** For a cluster that learns nothing from feedback (tests of the issue entity alone). */
  static FeedbackSink ignoring() {
    return feedback -> CompletableFuture.completedFuture(Done.getInstance());
  }
}
