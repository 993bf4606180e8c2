package dev.rootline.persistence;

import java.util.List;

/**
 * One page of the prioritised issue list.
 *
 * @param issues at most the filter's limit, highest priority first
 * @param total issues matching the filter, on all pages
 */
public record IssuePage(List<IssueSummary> issues, int total) {
  public IssuePage {
    issues = List.copyOf(issues);
  }
}
