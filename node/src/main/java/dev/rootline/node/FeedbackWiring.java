package dev.rootline.node;

import com.typesafe.config.Config;
import dev.rootline.actors.feedback.FeedbackRouter;
import dev.rootline.actors.feedback.FeedbackSink;
import dev.rootline.actors.feedback.PolicyProposal;
import dev.rootline.actors.feedback.PolicyTuner;
import dev.rootline.actors.feedback.TunerSettings;
import dev.rootline.actors.model.ModelEntity;
import dev.rootline.actors.model.ModelSettings;
import dev.rootline.actors.policy.PolicyClient;
import dev.rootline.api.MissedAnomalies;
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.StatusReply;

/**
 * Where a node's feedback goes: labels to the root-cause Model entity, the tuner's changes to the
 * capture policies (as FEEDBACK changes by "policy-tuner", naming the feedback).
 */
final class FeedbackWiring {

  static final String TUNER = "policy-tuner";

  private FeedbackWiring() {}

  static FeedbackSink router(
      ActorSystem<?> system, Config config, ModelSettings models, PolicyClient policies, Supplier<PolicySet> current) {
    FeedbackRouter.Labels labels =
        batch ->
            ModelEntity.ref(system, ModelEntity.ROOT_CAUSE)
                .<StatusReply<ModelEntity.LabelsAccepted>>ask(
                    replyTo -> new ModelEntity.AddLabels(batch, replyTo), models.askTimeout())
                .thenApply(StatusReply::getValue)
                .thenApply(accepted -> Done.getInstance());
    FeedbackRouter.Policies tuned =
        new FeedbackRouter.Policies() {
          @Override
          public PolicySet current() {
            return current.get();
          }

          @Override
          public CompletionStage<Done> apply(PolicyProposal change, IssueFeedback cause) {
            return policies
                .change(change.scope(), true, change.patch(), PolicyChange.FEEDBACK, change.reason(), TUNER,
                    cause.feedbackId(), change.expiresAtMillis())
                .thenApply(accepted -> Done.getInstance());
          }
        };
    return new FeedbackRouter(labels, tuned, new PolicyTuner(TunerSettings.create(config)), System::currentTimeMillis);
  }

  /**
   * {@code POST /feedback/missed-anomaly}: the tuner lowers the endpoint's anomaly threshold a step;
   * the change names the reporter and their comment.
   */
  static MissedAnomalies missed(Config config, PolicyClient policies, Supplier<PolicySet> current) {
    PolicyTuner tuner = new PolicyTuner(TunerSettings.create(config));
    return (endpoint, by, comment) -> {
      List<CompletableFuture<PolicyChange>> changes = new ArrayList<>();
      for (PolicyProposal p : tuner.missed(endpoint, by, current.get())) {
        String reason = comment == null ? p.reason() : p.reason() + " (\"" + comment + "\")";
        changes.add(
            policies
                .change(p.scope(), true, p.patch(), PolicyChange.FEEDBACK, reason, TUNER,
                    "missed-anomaly:" + UUID.randomUUID(), p.expiresAtMillis())
                .thenApply(accepted -> accepted.change())
                .toCompletableFuture());
      }
      return CompletableFuture.allOf(changes.toArray(CompletableFuture[]::new))
          .thenApply(done -> changes.stream().map(CompletableFuture::join).filter(c -> c != null).toList());
    };
  }
}
