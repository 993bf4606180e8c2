package dev.rootline.api;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PolicySources} in memory with the entity's rules (the real one, over CapturePolicy
 * entities, is tested in actors/): every change is a revision with its before and after, the same
 * change twice changes nothing, invalid policies fail with IllegalArgumentException, unknown
 * revisions with NoSuchElementException. It can be switched to never answer or to fail.
 */
final class InMemoryPolicies implements PolicySources {

  static final CapturePolicy DEFAULTS =
      new CapturePolicy(true, 1024, 0.05, 0.65, 2000L, CapturePolicy.MASKING_RULES, List.of());

  final Map<String, List<PolicyChange>> changes = new ConcurrentHashMap<>();
  volatile boolean silent;
  volatile RuntimeException failure;

  int changeCount() {
    return changes.values().stream().mapToInt(List::size).sum();
  }

  @Override
  public CompletionStage<PolicySet> policies() {
    return answer(() -> {
      PolicySet set = PolicySet.of(DEFAULTS);
      for (String key : changes.keySet()) {
        set = set.with(own(PolicyScope.parse(key)));
      }
      return set;
    });
  }

  @Override
  public CompletionStage<ScopedPolicy> policy(PolicyScope scope) {
    return answer(() -> own(scope));
  }

  @Override
  public CompletionStage<History> history(PolicyScope scope, int offset, int limit) {
    return answer(() -> {
      List<PolicyChange> all = changes.get(scope.key());
      if (all == null) {
        throw new NoSuchElementException("scope " + scope.key() + " has no policy changes");
      }
      List<PolicyChange> newestFirst = new ArrayList<>(all);
      java.util.Collections.reverse(newestFirst);
      List<PolicyChange> page =
          offset >= newestFirst.size() ? List.of() : newestFirst.subList(offset, Math.min(newestFirst.size(), offset + limit));
      return new History(all.size(), 1, List.copyOf(page));
    });
  }

  @Override
  public CompletionStage<Change> put(PolicyScope scope, CapturePolicy overrides, String reason, String by) {
    return answer(() -> change(scope, overrides, PolicyChange.MANUAL, reason, by, null));
  }

  @Override
  public CompletionStage<Change> patch(PolicyScope scope, CapturePolicy fields, String reason, String by) {
    return answer(() -> change(scope, own(scope).policy().patchedWith(fields), PolicyChange.MANUAL, reason, by, null));
  }

  @Override
  public CompletionStage<Change> revert(PolicyScope scope, long revision, String reason, String by) {
    return answer(() -> {
      List<PolicyChange> all = changes.getOrDefault(scope.key(), List.of());
      if (revision < 1 || revision > all.size()) {
        throw new NoSuchElementException("scope " + scope.key() + " has no revision " + revision);
      }
      return change(scope, all.get((int) revision - 1).before(), PolicyChange.REVERT,
          reason.isEmpty() ? "revert of revision " + revision : reason, by, String.valueOf(revision));
    });
  }

  private synchronized Change change(
      PolicyScope scope, CapturePolicy next, String source, String reason, String by, String cause) {
    if (!next.problems().isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", next.problems()));
    }
    ScopedPolicy own = own(scope);
    if (own.policy().equals(next)) {
      return new Change(own, null);
    }
    PolicyChange change =
        new PolicyChange(scope, own.revision() + 1, own.policy(), next, source, reason, by,
            1_800_000_000_000L + own.revision(), cause, 0);
    changes.computeIfAbsent(scope.key(), k -> new ArrayList<>()).add(change);
    return new Change(own(scope), change);
  }

  private ScopedPolicy own(PolicyScope scope) {
    List<PolicyChange> all = changes.getOrDefault(scope.key(), List.of());
    if (all.isEmpty()) {
      return new ScopedPolicy(scope, 0, CapturePolicy.EMPTY, 0);
    }
    PolicyChange last = all.get(all.size() - 1);
    return new ScopedPolicy(scope, last.revision(), last.after(), last.atMillis());
  }

  private <T> CompletionStage<T> answer(java.util.function.Supplier<T> body) {
    if (silent) {
      return new CompletableFuture<>();
    }
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    try {
      return CompletableFuture.completedFuture(body.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
