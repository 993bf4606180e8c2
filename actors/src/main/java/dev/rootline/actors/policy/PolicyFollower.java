package dev.rootline.actors.policy;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * A node's view of every scope's policy (one per node, every role). It hears changes live on
 * {@link PolicyUpdates}, fetches the whole {@link PolicyIndex} at start (again every {@code
 * fetch-retry} until it answers) and every {@code resync-interval} (so a node started after a
 * change, or one that missed a message, gets the current policies), and keeps them as a {@link
 * PolicySet} over the configured defaults. Its listeners get the new set after the first fetch
 * and on every change; a listener that throws is logged and kept.
 */
public final class PolicyFollower extends AbstractBehavior<PolicyFollower.Command> {

  public sealed interface Command {}

  /** Send {@code subscriber} the current set now and every new one (until it stops). */
  public record Subscribe(ActorRef<PolicySet> subscriber) implements Command, CborSerializable {}

  /**
   * Call {@code listener} with the current set now and with every new one, on this actor's
   * thread (for listeners made after the follower, e.g. an adapter telling the probe). Local only.
   */
  public record AddListener(Consumer<PolicySet> listener) implements Command, NoSerializationVerificationNeeded {}

  /** The current set, whether or not the index answered yet. */
  public record GetCurrent(ActorRef<PolicySet> replyTo) implements Command, CborSerializable {}

  private record Heard(ScopedPolicy policy) implements Command, CborSerializable {}

  // Never leaves this actor (a failure is no CBOR).
  private record Fetched(List<ScopedPolicy> policies, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  private enum Resync implements Command, CborSerializable {
    INSTANCE
  }

  private enum RetryKey {
    INSTANCE
  }

  /**
   * @param index fetches every scope's policy, e.g. {@code PolicyIndexClient.sharded(...)::all}
   * @param listeners called on this actor's thread with each new set (keep them quick)
   */
  public static Behavior<Command> create(
      PolicySettings settings,
      ActorRef<Topic.Command<ScopedPolicy>> updates,
      Supplier<CompletionStage<List<ScopedPolicy>>> index,
      List<Consumer<PolicySet>> listeners) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new PolicyFollower(context, timers, settings, updates, index, listeners)));
  }

  private final TimerScheduler<Command> timers;
  private final PolicySettings settings;
  private final Supplier<CompletionStage<List<ScopedPolicy>>> index;
  private final List<Consumer<PolicySet>> listeners = new ArrayList<>();
  private final List<ActorRef<PolicySet>> subscribers = new ArrayList<>();
  private PolicySet current;
  private boolean fetching;
  private boolean fetchedOnce;

  private PolicyFollower(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      PolicySettings settings,
      ActorRef<Topic.Command<ScopedPolicy>> updates,
      Supplier<CompletionStage<List<ScopedPolicy>>> index,
      List<Consumer<PolicySet>> listeners) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.index = index;
    this.listeners.addAll(listeners);
    this.current = PolicySet.of(settings.defaults());
    updates.tell(Topic.subscribe(context.messageAdapter(ScopedPolicy.class, Heard::new)));
    timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.resyncInterval());
    fetch();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Heard.class, heard -> update(current.with(heard.policy())))
        .onMessage(Fetched.class, this::onFetched)
        .onMessageEquals(Resync.INSTANCE, () -> {
          fetch();
          return this;
        })
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(AddListener.class, add -> {
          listeners.add(add.listener());
          call(add.listener(), current);
          return this;
        })
        .onMessage(GetCurrent.class, get -> {
          get.replyTo().tell(current);
          return this;
        })
        .onSignal(Terminated.class, stopped -> {
          subscribers.remove(stopped.getRef());
          return this;
        })
        .build();
  }

  private void fetch() {
    if (fetching) {
      return;
    }
    fetching = true;
    CompletionStage<List<ScopedPolicy>> stage;
    try {
      stage = index.get();
    } catch (RuntimeException e) {
      stage = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(stage, Fetched::new);
  }

  private Behavior<Command> onFetched(Fetched fetched) {
    fetching = false;
    if (fetched.failure() != null) {
      getContext().getLog().info("policy index not reachable ({}); asking again in {}",
          fetched.failure().toString(), settings.fetchRetry());
      timers.startSingleTimer(RetryKey.INSTANCE, Resync.INSTANCE, settings.fetchRetry());
      return this;
    }
    PolicySet next = current.withAll(fetched.policies());
    if (!fetchedOnce) {
      fetchedOnce = true;
      getContext().getLog().info("policies of {} scopes fetched from the index", fetched.policies().size());
      current = next;
      notifyAll(next);
      return this;
    }
    return update(next);
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    subscribers.add(subscribe.subscriber());
    getContext().watch(subscribe.subscriber());
    subscribe.subscriber().tell(current);
    return this;
  }

  private Behavior<Command> update(PolicySet next) {
    if (!next.equals(current)) {
      current = next;
      notifyAll(next);
    }
    return this;
  }

  private void notifyAll(PolicySet set) {
    listeners.forEach(listener -> call(listener, set));
    subscribers.forEach(s -> s.tell(set));
  }

  private void call(Consumer<PolicySet> listener, PolicySet set) {
    try {
      listener.accept(set);
    } catch (RuntimeException e) {
      getContext().getLog().warn("a policy listener failed: {}", e.toString());
    }
  }
}
