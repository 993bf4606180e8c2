package dev.rootline.actors.issue;

import dev.rootline.actors.inference.RootCauseTally;
import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.IssueEvent;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.IssueTotals;
import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.List;

/**
 * What an Issue entity knows, rebuilt from its events (or a snapshot of it). Immutable; every
 * list is bounded by {@link IssueSettings}.
 *
 * @param opened the opening event, or null before the first occurrence
 * @param recentRankings the rankings of the last {@code ranking-window} occurrences, oldest first
 *     (what {@link RootCauseTally} ranks the issue from)
 * @param recentTraceIds the last {@code dedup-window} trace ids, oldest first
 * @param examples the last {@code examples} trace ids, newest first
 * @param buckets the newest {@code timeline-buckets} timeline buckets, oldest first
 * @param status {@link IssueSummary#OPEN}, or {@link IssueSummary#MUTED} once marked as noise
 * @param feedback the last {@link #MAX_FEEDBACK} feedbacks, oldest first
 * @param unroutedFeedbackIds feedbacks recorded but not yet delivered to the models and the policy
 *     tuner (sent again after a restart)
 */
public record IssueState(
    IssueEvent.IssueOpened opened,
    long occurrences,
    long affectedRequests,
    double severitySum,
    long firstSeenMillis,
    long lastSeenMillis,
    List<List<RootCause>> recentRankings,
    List<String> recentTraceIds,
    List<String> examples,
    List<Bucket> buckets,
    String status,
    List<IssueFeedback> feedback,
    List<String> unroutedFeedbackIds)
    implements CborSerializable {

  public static final int MAX_FEEDBACK = 50;

  /** Occurrences counted in the timeline bucket that starts at {@code startMillis}. */
  public record Bucket(long startMillis, long occurrences) implements CborSerializable {}

  public static final IssueState EMPTY =
      new IssueState(
          null, 0, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of(), IssueSummary.OPEN, List.of(), List.of());

  public IssueState {
    recentRankings = List.copyOf(recentRankings);
    recentTraceIds = List.copyOf(recentTraceIds);
    examples = List.copyOf(examples);
    buckets = List.copyOf(buckets);
    status = status == null ? IssueSummary.OPEN : status;
    // Snapshots taken before feedback existed lack these.
    feedback = feedback == null ? List.of() : List.copyOf(feedback);
    unroutedFeedbackIds = unroutedFeedbackIds == null ? List.of() : List.copyOf(unroutedFeedbackIds);
  }

  /** True when this trace was recorded among the last {@code dedup-window} occurrences. */
  public boolean hasSeen(String traceId) {
    return recentTraceIds.contains(traceId);
  }

  public IssueState withOpened(IssueEvent.IssueOpened event) {
    return new IssueState(
        event, occurrences, affectedRequests, severitySum, firstSeenMillis, lastSeenMillis,
        recentRankings, recentTraceIds, examples, buckets, status, feedback, unroutedFeedbackIds);
  }

  /** The state after one more occurrence. Decisions may arrive out of time order: min/max hold. */
  public IssueState withOccurrence(IssueOccurrence o, IssueSettings settings) {
    long bucketStart = settings.timeline().bucketStart(o.atMillis());
    List<Bucket> nextBuckets = new ArrayList<>(buckets);
    int at = 0;
    while (at < nextBuckets.size() && nextBuckets.get(at).startMillis() < bucketStart) {
      at++;
    }
    if (at < nextBuckets.size() && nextBuckets.get(at).startMillis() == bucketStart) {
      nextBuckets.set(at, new Bucket(bucketStart, nextBuckets.get(at).occurrences() + 1));
    } else {
      nextBuckets.add(at, new Bucket(bucketStart, 1));
    }
    List<String> nextExamples = new ArrayList<>(examples.size() + 1);
    nextExamples.add(o.traceId());
    nextExamples.addAll(examples);
    return new IssueState(
        opened,
        occurrences + 1,
        affectedRequests + o.requests(),
        severitySum + o.severity(),
        occurrences == 0 ? o.atMillis() : Math.min(firstSeenMillis, o.atMillis()),
        occurrences == 0 ? o.atMillis() : Math.max(lastSeenMillis, o.atMillis()),
        newest(append(recentRankings, o.rootCauses()), settings.rankingWindow()),
        newest(append(recentTraceIds, o.traceId()), settings.dedupWindow()),
        nextExamples.subList(0, Math.min(nextExamples.size(), settings.examples())),
        newest(nextBuckets, settings.timelineBuckets()),
        status,
        feedback,
        unroutedFeedbackIds);
  }

  /** The state after a feedback: noise mutes the issue; the feedback waits to be routed. */
  public IssueState withFeedback(IssueFeedback f) {
    String nextStatus = f.kind() == IssueFeedback.Kind.NOISE ? IssueSummary.MUTED : status;
    return new IssueState(
        opened, occurrences, affectedRequests, severitySum, firstSeenMillis, lastSeenMillis,
        recentRankings, recentTraceIds, examples, buckets, nextStatus,
        newest(append(feedback, f), MAX_FEEDBACK), append(unroutedFeedbackIds, f.feedbackId()));
  }

  /** The state once a feedback reached the models and the policy tuner. */
  public IssueState withRouted(String feedbackId) {
    List<String> rest = new ArrayList<>(unroutedFeedbackIds);
    rest.remove(feedbackId);
    return new IssueState(
        opened, occurrences, affectedRequests, severitySum, firstSeenMillis, lastSeenMillis,
        recentRankings, recentTraceIds, examples, buckets, status, feedback, rest);
  }

  /** A recorded feedback by id, or null (routed ones older than {@link #MAX_FEEDBACK} are gone). */
  public IssueFeedback feedback(String feedbackId) {
    return feedback.stream().filter(f -> f.feedbackId().equals(feedbackId)).findFirst().orElse(null);
  }

  /** True when {@code key} ("LEVEL|subject") is ranked in the issue or in a recent occurrence. */
  public boolean hasCandidate(String key, IssueSettings settings) {
    return ranking(settings).stream().anyMatch(c -> c.key().equals(key))
        || recentRankings.stream().flatMap(List::stream).anyMatch(c -> c.key().equals(key));
  }

  /** The issue's root-cause ranking over its recent occurrences (probabilities sum to 1). */
  public List<RootCause> ranking(IssueSettings settings) {
    RootCauseTally tally = new RootCauseTally(settings.rankingWindow());
    recentRankings.forEach(tally::add);
    return tally.ranking();
  }

  /** The aggregates an {@link IssueEvent.OccurrenceRecorded} carries, after occurrence {@code o}. */
  public IssueTotals totals(IssueOccurrence o, IssueSettings settings) {
    long bucketStart = settings.timeline().bucketStart(o.atMillis());
    long inBucket =
        buckets.stream().filter(b -> b.startMillis() == bucketStart).mapToLong(Bucket::occurrences).sum();
    return new IssueTotals(
        occurrences, affectedRequests, severitySum, firstSeenMillis, lastSeenMillis, ranking(settings),
        examples, bucketStart, inBucket, status);
  }

  /** The list line of this issue, its priority computed for {@code nowMillis}; null if not opened. */
  public IssueSummary summary(IssueSettings settings, long nowMillis) {
    if (opened == null) {
      return null;
    }
    List<RootCause> ranking = ranking(settings);
    return new IssueSummary(
            opened.issueId(), opened.title(), opened.kind(), opened.service(), opened.endpoint(),
            firstSeenMillis, lastSeenMillis, occurrences, affectedRequests,
            occurrences == 0 ? 0 : Math.max(0, Math.min(1, severitySum / occurrences)), 0,
            ranking.isEmpty() ? null : ranking.get(0), status)
        .prioritised(settings.priority(), nowMillis);
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> out = new ArrayList<>(list.size() + 1);
    out.addAll(list);
    out.add(item);
    return out;
  }

  private static <T> List<T> newest(List<T> oldestFirst, int max) {
    return oldestFirst.size() <= max ? oldestFirst : oldestFirst.subList(oldestFirst.size() - max, oldestFirst.size());
  }
}
