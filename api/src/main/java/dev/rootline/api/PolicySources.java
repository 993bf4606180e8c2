package dev.rootline.api;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code /api/v1/policies} reads and changes capture policies; the node implements it over
 * the CapturePolicy entities and the policy index. How a failed stage is answered: {@link
 * IllegalArgumentException} (an invalid change; nothing changed) is a 400 with its message, {@link
 * NoSuchElementException} (an unknown revision, the history of a scope never changed) a 404,
 * anything else (timeouts, an index that could not be updated) a 503 the client may retry.
 */
public interface PolicySources {

  /** Every scope's current policy over the defaults. */
  CompletionStage<PolicySet> policies();

  /** One scope's own policy at its revision (revision 0 and EMPTY when never changed). */
  CompletionStage<ScopedPolicy> policy(PolicyScope scope);

  /** Kept changes of the scope, newest first. */
  CompletionStage<History> history(PolicyScope scope, int offset, int limit);

  /** The scope's overrides become {@code overrides} (null fields: inherited). */
  CompletionStage<Change> put(PolicyScope scope, CapturePolicy overrides, String reason, String by);

  /** The non-null fields of {@code fields} replace the scope's. */
  CompletionStage<Change> patch(PolicyScope scope, CapturePolicy fields, String reason, String by);

  /** The overrides go back to what they were before {@code revision}, as a new change. */
  CompletionStage<Change> revert(PolicyScope scope, long revision, String reason, String by);

  /**
   * @param revision the scope's latest revision
   * @param oldestKept the oldest revision still kept (older ones are only in the journal)
   * @param changes newest first
   */
  record History(long revision, long oldestKept, List<PolicyChange> changes) {}

  /**
   * @param current the scope's own policy after the request
   * @param change the change made, null when the scope already had that policy
   */
  record Change(ScopedPolicy current, PolicyChange change) {}

  /** For an API without policies behind it: every call fails as unavailable (503). */
  static PolicySources unavailable() {
    IllegalStateException why = new IllegalStateException("this API runs without capture policies");
    return new PolicySources() {
      @Override
      public CompletionStage<PolicySet> policies() {
        return CompletableFuture.failedFuture(why);
      }

      @Override
      public CompletionStage<ScopedPolicy> policy(PolicyScope scope) {
        return CompletableFuture.failedFuture(why);
      }

      @Override
      public CompletionStage<History> history(PolicyScope scope, int offset, int limit) {
        return CompletableFuture.failedFuture(why);
      }

      @Override
      public CompletionStage<Change> put(PolicyScope scope, CapturePolicy overrides, String reason, String by) {
        return CompletableFuture.failedFuture(why);
      }

      @Override
      public CompletionStage<Change> patch(PolicyScope scope, CapturePolicy fields, String reason, String by) {
        return CompletableFuture.failedFuture(why);
      }

      @Override
      public CompletionStage<Change> revert(PolicyScope scope, long revision, String reason, String by) {
        return CompletableFuture.failedFuture(why);
      }
    };
  }
}
