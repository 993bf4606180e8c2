package dev.rootline.api;

import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssuePage;
import dev.rootline.persistence.IssueFilter;
import dev.rootline.persistence.IssueQueries;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the API reads issues from: the read side's queries and the live feed of issue updates.
 *
 * @param queries {@code GET /issues} and {@code GET /issues/{id}}
 * @param feed issue updates pushed on {@code /stream}
 * @param feedback {@code POST /issues/{id}/feedback}
 */
public record IssueSources(IssueQueries queries, IssueFeed feed, FeedbackGate feedback) {

  public IssueSources {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(feed, "feed");
    Objects.requireNonNull(feedback, "feedback");
  }

  /** Reading only: feedback answers 503. */
  public IssueSources(IssueQueries queries, IssueFeed feed) {
    this(queries, feed, FeedbackGate.unavailable());
  }

  /** A node that groups no traces into issues: the list is empty, every id is unknown (404). */
  public static IssueSources none() {
    return new IssueSources(
        new IssueQueries() {
          @Override
          public CompletionStage<IssuePage> list(IssueFilter filter) {
            return CompletableFuture.completedFuture(new IssuePage(List.of(), 0));
          }

          @Override
          public CompletionStage<Optional<IssueDetail>> get(String issueId) {
            return CompletableFuture.completedFuture(Optional.empty());
          }
        },
        listener -> () -> {});
  }
}
