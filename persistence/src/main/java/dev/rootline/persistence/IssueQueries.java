package dev.rootline.persistence;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The read side the API lists issues from. */
public interface IssueQueries {

  /** Issues matching the filter, highest priority (computed now) first, one page of them. */
  CompletionStage<IssuePage> list(IssueFilter filter);

  /** One issue with its timeline, example traces and ranked root causes, or empty if unknown. */
  CompletionStage<Optional<IssueDetail>> get(String issueId);
}
