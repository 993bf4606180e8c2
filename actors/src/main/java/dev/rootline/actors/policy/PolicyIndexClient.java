package dev.rootline.actors.policy;

import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * How policy entities and followers reach the {@link PolicyIndex}: both calls are asks with
 * retries ({@code index-attempts}, {@code index-retry-backoff} apart), so a moving or recovering
 * index entity costs a delay, not a failure.
 */
public interface PolicyIndexClient {

  /** Records {@code policy} (and when its scope's next temporary change expires, 0: none). */
  CompletionStage<Done> upsert(ScopedPolicy policy, long nextExpiryMillis);

  /** Every scope's current policy. */
  CompletionStage<List<ScopedPolicy>> all();

  /** The index entity of the cluster, through sharding. */
  static PolicyIndexClient sharded(ActorSystem<?> system, PolicySettings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration timeout = settings.indexAskTimeout();
    return new PolicyIndexClient() {
      private EntityRef<PolicyIndex.Command> index() {
        return sharding.entityRefFor(PolicyIndex.ENTITY_KEY, PolicyIndex.ENTITY_ID);
      }

      @Override
      public CompletionStage<Done> upsert(ScopedPolicy policy, long nextExpiryMillis) {
        return retried(
            settings,
            system,
            () ->
                index()
                    .<StatusReply<Done>>ask(
                        replyTo -> new PolicyIndex.Upsert(policy, nextExpiryMillis, replyTo), timeout)
                    .thenApply(StatusReply::getValue));
      }

      @Override
      public CompletionStage<List<ScopedPolicy>> all() {
        return retried(
            settings,
            system,
            () -> index().<PolicyIndex.All>ask(PolicyIndex.GetAll::new, timeout).thenApply(PolicyIndex.All::policies));
      }
    };
  }

  /** {@code call} until it succeeds, at most {@code index-attempts} times. */
  static <T> CompletionStage<T> retried(PolicySettings settings, ActorSystem<?> system, Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(settings, system, call, 1, result);
    return result;
  }

  private static <T> void attempt(
      PolicySettings settings, ActorSystem<?> system, Supplier<CompletionStage<T>> call, int n, CompletableFuture<T> result) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            result.complete(value);
          } else if (n >= settings.indexAttempts()) {
            result.completeExceptionally(failure);
          } else {
            system
                .scheduler()
                .scheduleOnce(
                    settings.indexRetryBackoff(),
                    () -> attempt(settings, system, call, n + 1, result),
                    system.executionContext());
          }
        });
  }
}
