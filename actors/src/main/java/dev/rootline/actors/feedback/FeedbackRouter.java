package dev.rootline.actors.feedback;

import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;

/**
 * The node's {@link FeedbackSink}: a feedback's labels go to the root-cause model, the changes
 * the {@link PolicyTuner} proposes for it go to the capture policies. Completes when both took
 * it; a failure of either makes the Issue entity send the whole feedback again, which both
 * receivers tolerate (the model deduplicates labels by feedback and trace; a repeated policy
 * patch sets the same values again).
 */
public final class FeedbackRouter implements FeedbackSink {

  /** The root-cause model's label intake (the Model entity). */
  @FunctionalInterface
  public interface Labels {
    CompletionStage<Done> add(List<RankingLabel> labels);
  }

  /** The capture policies: what is in force now, and a change applied on behalf of a feedback. */
  public interface Policies {
    PolicySet current();

    CompletionStage<Done> apply(PolicyProposal change, IssueFeedback cause);
  }

  private final Labels labels;
  private final Policies policies;
  private final PolicyTuner tuner;
  private final Supplier<Long> clock;

  public FeedbackRouter(Labels labels, Policies policies, PolicyTuner tuner, Supplier<Long> clock) {
    this.labels = labels;
    this.policies = policies;
    this.tuner = tuner;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Done> route(RoutedFeedback feedback) {
    List<CompletableFuture<Done>> all = new ArrayList<>();
    if (!feedback.labels().isEmpty()) {
      all.add(labels.add(feedback.labels()).toCompletableFuture());
    }
    for (PolicyProposal change : tuner.propose(feedback, policies.current(), clock.get())) {
      all.add(policies.apply(change, feedback.feedback()).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> Done.getInstance());
  }
}
