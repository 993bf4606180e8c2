package dev.rootline.api;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code /api/v1/models} reads models and sends rollbacks: the node implements it by asking
 * the sharded Model entities. A stage that fails or never completes becomes a 503.
 */
public interface ModelSources {

  /** Every model Rootline trains, with its versions. */
  CompletionStage<List<Model>> list();

  /**
   * Make an earlier promoted version of model {@code name} live again: {@code toVersion}, or when
   * null the previous promoted one.
   */
  CompletionStage<RollbackResult> rollback(String name, Long toVersion);

  /**
   * One model.
   *
   * @param live the live version (0: none yet)
   * @param labels feedback labels the model holds
   * @param versions its versions, oldest first
   */
  record Model(String name, long live, int labels, List<Version> versions) {
    public Model {
      versions = List.copyOf(versions);
    }
  }

  /**
   * One version of a model.
   *
   * @param status live, superseded, rolled-back or rejected
   * @param candidate its metrics on the held-back labels of its training (null for the prior)
   * @param live the then-live model's metrics on the same labels (null for the prior)
   * @param comparedTo the live version it was compared with (0: none)
   * @param reason why it was promoted, rejected or rolled back
   */
  record Version(
      long version,
      long trainedAtMillis,
      int labels,
      int heldBack,
      String status,
      Metrics candidate,
      Metrics live,
      long comparedTo,
      String reason) {}

  /** Ranking accuracy on held-back labels: AC@k is the share with the cause in the first k. */
  record Metrics(int rankings, double ac1, double ac3, double ac5, double meanRank) {}

  /** What a rollback came to. */
  sealed interface RollbackResult {}

  /** Done: the model as it is now. */
  record RolledBack(Model model) implements RollbackResult {}

  /** No model has this name (404). */
  record UnknownModel(String name) implements RollbackResult {}

  /** The model has no such earlier promoted version (409), in the entity's words. */
  record NothingToRollBack(String reason) implements RollbackResult {}

  /** A node without models: the list is empty, every name is unknown. */
  static ModelSources none() {
    return new ModelSources() {
      @Override
      public CompletionStage<List<Model>> list() {
        return CompletableFuture.completedFuture(List.of());
      }

      @Override
      public CompletionStage<RollbackResult> rollback(String name, Long toVersion) {
        return CompletableFuture.completedFuture(new UnknownModel(name));
      }
    };
  }
}
