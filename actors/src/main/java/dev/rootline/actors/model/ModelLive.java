package dev.rootline.actors.model;

import dev.rootline.persistence.CborSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The live version of a model, published cluster-wide after every promotion and rollback (and when
 * the entity recovers) so that every trace node ranks with it ({@link ModelFollower}).
 *
 * @param generation how many times the live version changed: a follower never goes back to an
 *     older generation (a rollback is a newer generation with a lower version)
 * @param weights {@code RootCauseRanker.ofWeights(weights, version)}
 */
public record ModelLive(String name, long version, long generation, double[] weights)
    implements CborSerializable {

  public static final String TOPIC_NAME = "model-live";

  public ModelLive {
    weights = weights.clone();
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  /** Spawn once per node (e.g. {@code system.systemActorOf(ModelLive.topic(), "model-live", ...)}). */
  public static Behavior<Topic.Command<ModelLive>> topic() {
    return Topic.create(ModelLive.class, TOPIC_NAME);
  }
}
