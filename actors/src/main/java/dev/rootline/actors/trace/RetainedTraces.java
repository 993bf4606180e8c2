package dev.rootline.actors.trace;

import dev.rootline.persistence.TraceSummary;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The cluster-wide live stream of retained traces: after a trace is persisted its {@link
 * TraceSummary} is published on this topic (the API pushes it on its WebSocket). Pekko 1.7.0 has
 * no PubSub registry: spawn {@link #topic()} once per node and hand the ref to whoever publishes
 * or subscribes; topic actors of the same name find each other through the receptionist.
 */
public final class RetainedTraces {

  public static final String TOPIC_NAME = "retained-traces";

  private RetainedTraces() {}

  public static Behavior<Topic.Command<TraceSummary>> topic() {
    return Topic.create(TraceSummary.class, TOPIC_NAME);
  }
}
