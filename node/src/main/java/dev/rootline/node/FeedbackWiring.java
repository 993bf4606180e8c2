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
import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicySet;
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
}
