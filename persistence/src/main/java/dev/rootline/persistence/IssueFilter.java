package dev.rootline.persistence;

/**
 * What the issue list asks for: highest priority first, {@code limit} issues from {@code offset}.
 *
 * @param service only issues of this service (the opening trace's root service), or null
 * @param status only issues with this status (one of {@link IssueSummary#STATUSES}), or null
 * @param limit at most this many (1..{@value #MAX_LIMIT})
 * @param offset skip this many of the prioritised list first (0..{@value #MAX_OFFSET})
 */
public record IssueFilter(String service, String status, int limit, int offset) {
  public static final int MAX_LIMIT = 1000;
  public static final int MAX_OFFSET = 100_000;

  public IssueFilter {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new IllegalArgumentException("offset must be between 0 and " + MAX_OFFSET + ": " + offset);
    }
    if (status != null && !IssueSummary.STATUSES.contains(status)) {
      throw new IllegalArgumentException("status must be one of " + IssueSummary.STATUSES + ": " + status);
    }
  }
}
