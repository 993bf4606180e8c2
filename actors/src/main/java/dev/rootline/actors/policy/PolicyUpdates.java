package dev.rootline.actors.policy;

import dev.rootline.persistence.policy.ScopedPolicy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The cluster-wide live stream of policy changes: after a change is persisted its scope's new
 * {@link ScopedPolicy} is published here, and every node's {@link PolicyFollower} hears it. Spawn
 * {@link #topic()} once per node, like {@code IssueUpdates.topic()}.
 */
public final class PolicyUpdates {

  public static final String TOPIC_NAME = "rootline-policies";

  private PolicyUpdates() {}

  public static Behavior<Topic.Command<ScopedPolicy>> topic() {
    return Topic.create(ScopedPolicy.class, TOPIC_NAME);
  }
}
