package dev.rootline.node;

import dev.rootline.api.RetainedTraceFeed;
import dev.rootline.persistence.TraceSummary;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's live feed, fed by the cluster-wide topic of retained traces: one subscriber actor
 * per node fans each summary out to the API's listeners.
 */
final class TopicFeed implements RetainedTraceFeed {
  private static final Logger log = LoggerFactory.getLogger(TopicFeed.class);

  private final CopyOnWriteArrayList<Consumer<TraceSummary>> listeners =
      new CopyOnWriteArrayList<>();

  static TopicFeed start(ActorSystem<?> system, ActorRef<Topic.Command<TraceSummary>> topic) {
    TopicFeed feed = new TopicFeed();
    ActorRef<TraceSummary> subscriber =
        system.systemActorOf(
            Behaviors.receiveMessage(
                summary -> {
                  feed.publish(summary);
                  return Behaviors.same();
                }),
            "retained-trace-feed",
            Props.empty());
    topic.tell(Topic.subscribe(subscriber));
    return feed;
  }

  @Override
  public AutoCloseable subscribe(Consumer<TraceSummary> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void publish(TraceSummary summary) {
    for (Consumer<TraceSummary> listener : listeners) {
      try {
        listener.accept(summary);
      } catch (RuntimeException e) {
        log.warn("a live-feed listener failed: {}", e.toString());
      }
    }
  }
}
