package dev.rootline.node;

import dev.rootline.actors.model.ModelEntity;
import dev.rootline.actors.model.ModelMetrics;
import dev.rootline.actors.model.ModelVersion;
import dev.rootline.api.ModelSources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.StatusReply;

/** The API's models: asks the sharded Model entities; a refused rollback is a 409, no answer a 503. */
final class ModelApiSources implements ModelSources {

  private final ActorSystem<?> system;
  private final Duration timeout;

  ModelApiSources(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<List<Model>> list() {
    List<CompletableFuture<Model>> asks =
        ModelEntity.MODELS.stream()
            .map(
                name ->
                    ModelEntity.ref(system, name)
                        .<ModelEntity.ModelView>ask(ModelEntity.Get::new, timeout)
                        .thenApply(ModelApiSources::model)
                        .toCompletableFuture())
            .toList();
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
  }

  @Override
  public CompletionStage<RollbackResult> rollback(String name, Long toVersion) {
    if (!ModelEntity.MODELS.contains(name)) {
      return CompletableFuture.completedFuture(new UnknownModel(name));
    }
    return ModelEntity.ref(system, name)
        .<StatusReply<ModelEntity.ModelView>>ask(replyTo -> new ModelEntity.Rollback(toVersion, replyTo), timeout)
        .thenApply(
            reply ->
                reply.isSuccess()
                    ? new RolledBack(model(reply.getValue()))
                    : new NothingToRollBack(reply.getError().getMessage()));
  }

  private static Model model(ModelEntity.ModelView view) {
    return new Model(
        view.name(), view.live(), view.labels(), view.versions().stream().map(ModelApiSources::version).toList());
  }

  private static Version version(ModelVersion v) {
    return new Version(
        v.version(), v.trainedAtMillis(), v.labels(), v.heldBack(), v.status(), metrics(v.candidate()),
        metrics(v.live()), v.comparedTo(), v.reason());
  }

  private static Metrics metrics(ModelMetrics m) {
    return m == null ? null : new Metrics(m.rankings(), m.ac1(), m.ac3(), m.ac5(), m.meanRank());
  }
}
