package dev.rootline.node;

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
 * One of the API's live feeds (retained traces, issue updates), fed by a cluster-wide topic: one
 * subscriber actor per node fans each message out to the API's listeners. {@link #subscribe} fits
 * the API's feed interfaces as a method reference.
 */
final class TopicFeed<T> {
  private static final Logger log = LoggerFactory.getLogger(TopicFeed.class);

  private final CopyOnWriteArrayList<Consumer<T>> listeners = new CopyOnWriteArrayList<>();

  static <T> TopicFeed<T> start(ActorSystem<?> system, ActorRef<Topic.Command<T>> topic, String name) {
    TopicFeed<T> feed = new TopicFeed<>();
    ActorRef<T> subscriber =
        system.systemActorOf(
            Behaviors.<T>receiveMessage(
                message -> {
                  feed.publish(message);
                  return Behaviors.same();
                }),
            name,
            Props.empty());
    topic.tell(Topic.subscribe(subscriber));
    return feed;
  }

  AutoCloseable subscribe(Consumer<T> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void publish(T message) {
    for (Consumer<T> listener : listeners) {
      try {
        listener.accept(message);
      } catch (RuntimeException e) {
        log.warn("a live-feed listener failed: {}", e.toString());
      }
    }
  }
}
