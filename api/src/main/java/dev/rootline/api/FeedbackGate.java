package dev.rootline.api;

import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueSummary;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code POST /issues/{id}/feedback} records what an operator said: the node asks the
 * issue's entity, which checks the candidate against the issue's ranking.
 */
@FunctionalInterface
public interface FeedbackGate {

  CompletionStage<Outcome> give(String issueId, IssueFeedback feedback);

  /** What became of a feedback. */
  sealed interface Outcome {}

  /** Recorded; {@code issue} is the issue after it (noise mutes it). */
  record Accepted(IssueFeedback feedback, IssueSummary issue) implements Outcome {}

  /** No issue has this id (404). */
  record UnknownIssue(String reason) implements Outcome {}

  /** The feedback does not fit the issue, e.g. an unknown candidate (400); nothing changed. */
  record Refused(String reason) implements Outcome {}

  /** A node that records no feedback (no issue entities reachable): every call is a 503. */
  static FeedbackGate unavailable() {
    return (issueId, feedback) ->
        CompletableFuture.failedFuture(new IllegalStateException("this node records no feedback"));
  }
}
