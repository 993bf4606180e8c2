package dev.rootline.node;

import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.api.FeedbackGate;
import dev.rootline.persistence.IssueFeedback;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** {@code POST /issues/{id}/feedback} on this node: asks the issue's sharded entity. */
final class IssueFeedbackGate implements FeedbackGate {

  private final ClusterSharding sharding;
  private final Duration timeout;

  IssueFeedbackGate(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Outcome> give(String issueId, IssueFeedback feedback) {
    return sharding
        .entityRefFor(IssueEntity.ENTITY_KEY, issueId)
        .<IssueEntity.FeedbackReply>ask(replyTo -> new IssueEntity.GiveFeedback(feedback, replyTo), timeout)
        .thenApply(IssueFeedbackGate::outcome);
  }

  private static Outcome outcome(IssueEntity.FeedbackReply reply) {
    if (reply instanceof IssueEntity.FeedbackAccepted a) {
      return new Accepted(a.feedback(), a.summary());
    }
    IssueEntity.FeedbackRefused refused = (IssueEntity.FeedbackRefused) reply;
    return refused.unknownIssue() ? new UnknownIssue(refused.reason()) : new Refused(refused.reason());
  }
}
