package dev.rootline.actors.policy;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Reading and changing capture policies from anywhere in the cluster (the API, the policy tuner):
 * asks of the scope's {@link CapturePolicyEntity} and of the {@link PolicyIndex}. Failures are
 * plain exceptions in the returned stage: {@link IllegalArgumentException} for an invalid change
 * (its message lists the problems; nothing was changed), {@link NoSuchElementException} for an
 * unknown revision or the history of a scope never changed, anything else (timeouts, {@link
 * IllegalStateException} for an index that could not be updated) means "try again".
 */
public final class PolicyClient {

  private final ClusterSharding sharding;
  private final PolicySettings settings;
  private final PolicyIndexClient index;

  public PolicyClient(ClusterSharding sharding, PolicySettings settings, PolicyIndexClient index) {
    this.sharding = sharding;
    this.settings = settings;
    this.index = index;
  }

  public static PolicyClient create(ActorSystem<?> system, PolicySettings settings) {
    return new PolicyClient(ClusterSharding.get(system), settings, PolicyIndexClient.sharded(system, settings));
  }

  /** Every scope's current policy over the configured defaults (from the index). */
  public CompletionStage<PolicySet> policies() {
    return index.all().thenApply(all -> PolicySet.of(settings.defaults()).withAll(all));
  }

  /** The scope's own policy at its revision (revision 0 and EMPTY when it was never changed). */
  public CompletionStage<ScopedPolicy> policy(PolicyScope scope) {
    return entity(scope).ask(CapturePolicyEntity.Get::new, timeout());
  }

  /** Kept changes newest first; fails with NoSuchElementException when the scope never changed. */
  public CompletionStage<CapturePolicyEntity.HistoryPage> history(PolicyScope scope, int offset, int limit) {
    return entity(scope)
        .<CapturePolicyEntity.HistoryPage>ask(replyTo -> new CapturePolicyEntity.History(offset, limit, replyTo), timeout())
        .thenApply(
            page -> {
              if (page.revision() == 0) {
                throw new NoSuchElementException("scope " + scope.key() + " has no policy changes");
              }
              return page;
            });
  }

  /** PUT: the scope's overrides become {@code policy}; a manual, permanent change. */
  public CompletionStage<CapturePolicyEntity.Accepted> put(PolicyScope scope, CapturePolicy policy, String reason, String by) {
    return change(scope, false, policy, PolicyChange.MANUAL, reason, by, null, 0);
  }

  /** PATCH: the non-null fields of {@code patch} replace the scope's; a manual, permanent change. */
  public CompletionStage<CapturePolicyEntity.Accepted> patch(PolicyScope scope, CapturePolicy patch, String reason, String by) {
    return change(scope, true, patch, PolicyChange.MANUAL, reason, by, null, 0);
  }

  /**
   * Any change, e.g. the tuner's: {@code source} FEEDBACK with the feedback id as {@code cause}
   * and an {@code expiresAtMillis} for a temporary change (0: permanent).
   *
   * @param patch true: only the non-null fields of {@code policy} change; false: it replaces all
   */
  public CompletionStage<CapturePolicyEntity.Accepted> change(
      PolicyScope scope,
      boolean patch,
      CapturePolicy policy,
      String source,
      String reason,
      String by,
      String cause,
      long expiresAtMillis) {
    Function<ActorRef<CapturePolicyEntity.Outcome>, CapturePolicyEntity.Command> command =
        patch
            ? replyTo -> new CapturePolicyEntity.Patch(policy, reason, source, by, cause, expiresAtMillis, replyTo)
            : replyTo -> new CapturePolicyEntity.Put(policy, reason, source, by, cause, expiresAtMillis, replyTo);
    return entity(scope).ask(command::apply, timeout()).thenApply(PolicyClient::accepted);
  }

  /** Put back the overrides as they were before {@code revision}. */
  public CompletionStage<CapturePolicyEntity.Accepted> revert(PolicyScope scope, long revision, String reason, String by) {
    return entity(scope)
        .<CapturePolicyEntity.Outcome>ask(replyTo -> new CapturePolicyEntity.Revert(revision, by, reason, replyTo), timeout())
        .thenApply(PolicyClient::accepted);
  }

  private static CapturePolicyEntity.Accepted accepted(CapturePolicyEntity.Outcome outcome) {
    if (outcome instanceof CapturePolicyEntity.Accepted accepted) {
      return accepted;
    }
    CapturePolicyEntity.Refused refused = (CapturePolicyEntity.Refused) outcome;
    String why = String.join("; ", refused.problems());
    throw switch (refused.reason()) {
      case INVALID -> new IllegalArgumentException(why);
      case NOT_FOUND -> new NoSuchElementException(why);
      case UNAVAILABLE -> new IllegalStateException(why);
    };
  }

  private EntityRef<CapturePolicyEntity.Command> entity(PolicyScope scope) {
    return sharding.entityRefFor(CapturePolicyEntity.ENTITY_KEY, scope.key());
  }

  private Duration timeout() {
    return settings.askTimeout();
  }
}
