package dev.rootline.actors.issue;

import dev.rootline.persistence.IssueSummary;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The cluster-wide live stream of new and updated issues: after an occurrence is persisted the
 * issue's {@link IssueSummary} is published on this topic (the API pushes it on its WebSocket;
 * {@code occurrences == 1} means a new issue). Spawn {@link #topic()} once per node, like {@code
 * RetainedTraces.topic()}.
 */
public final class IssueUpdates {

  public static final String TOPIC_NAME = "issue-updates";

  private IssueUpdates() {}

  public static Behavior<Topic.Command<IssueSummary>> topic() {
    return Topic.create(IssueSummary.class, TOPIC_NAME);
  }
}
