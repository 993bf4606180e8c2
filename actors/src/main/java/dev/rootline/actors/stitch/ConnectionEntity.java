package dev.rootline.actors.stitch;

import dev.rootline.actors.trace.TraceEntity;
import dev.rootline.persistence.CborSerializable;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The rendezvous of one TCP connection's two ends, sharded by the connection (client ip:port >
 * server ip:port): the capture on the client's host and the one on the server's host each
 * publish their account of every request ({@link ConnectionLink}); when both accounts of one
 * request met, the server span's trace (which started on its own: its host did not know the
 * caller) is merged into the client span's trace with the server span as the client span's
 * child ({@link TraceEntity.MergeInto}). Unmatched accounts expire after {@code entry-ttl}; an
 * entity with none left passivates. Nothing is persisted: a lost rendezvous leaves two traces,
 * never a wrong one.
 */
public final class ConnectionEntity extends AbstractBehavior<ConnectionEntity.Command> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Connection");

  public sealed interface Command extends CborSerializable {}

  /** One end's account of one request on this connection. */
  public record Publish(ConnectionLink link) implements Command {}

  /** How many accounts wait here (for tests and operators). */
  public record GetPending(ActorRef<Integer> replyTo) implements Command {}

  private enum Tick implements Command {
    EXPIRE
  }

  private enum Stop implements Command {
    INSTANCE
  }

  /** Starts sharding of connection entities on this node. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard()))
                .withStopMessage(Stop.INSTANCE));
  }

  /** Sends an account to its connection's entity, wherever in the cluster that lives. */
  public static void publish(ClusterSharding sharding, ConnectionLink link) {
    sharding.entityRefFor(ENTITY_KEY, link.connectionKey()).tell(new Publish(link));
  }

  public static Behavior<Command> create(
      String connectionKey, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new ConnectionEntity(ctx, timers, connectionKey, shard)));
  }

  private final TimerScheduler<Command> timers;
  private final String connectionKey;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ClusterSharding sharding;
  private final StitchCounters counters;
  private final PendingLinks pending;
  private final Duration expireEvery;
  private long displacedReported;

  private ConnectionEntity(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String connectionKey,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(context);
    this.timers = timers;
    this.connectionKey = connectionKey;
    this.shard = shard;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.counters = StitchCounters.get(context.getSystem());
    StitchSettings settings = StitchSettings.get(context.getSystem());
    this.pending =
        new PendingLinks(
            settings.entryTtl().toNanos(),
            settings.clockSkew().toNanos(),
            settings.maxPendingPerConnection());
    // Expiry is checked a few times per ttl: an account lives between ttl and 1.25 * ttl.
    this.expireEvery = settings.entryTtl().dividedBy(4);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Publish.class, this::onPublish)
        .onMessageEquals(Tick.EXPIRE, this::onExpire)
        .onMessage(GetPending.class, this::onGetPending)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onPublish(Publish command) {
    ConnectionLink link = command.link();
    counters.linkReceived();
    if (link == null || !link.isComplete() || !connectionKey.equals(link.connectionKey())) {
      counters.linkMalformed();
      getContext().getLog().debug("incomplete or misrouted link for {}: skipped", connectionKey);
      return this;
    }
    pending
        .offer(link, System.nanoTime())
        .ifPresent(
            match -> {
              counters.matched();
              // Both ends already in one trace (a traceparent header did it): nothing to merge.
              if (!match.client().traceId().equals(match.server().traceId())) {
                TraceEntity.mergeInto(
                    sharding,
                    match.server().traceId(),
                    new TraceEntity.MergeInto(
                        match.client().traceId(), match.server().spanId(), match.client().spanId()));
              }
            });
    reportDisplaced();
    if (!pending.isEmpty() && !timers.isTimerActive(Tick.EXPIRE)) {
      timers.startTimerWithFixedDelay(Tick.EXPIRE, Tick.EXPIRE, expireEvery);
    }
    return this;
  }

  private Behavior<Command> onExpire() {
    counters.expiredUnmatched(pending.expire(System.nanoTime()));
    if (pending.isEmpty()) {
      timers.cancel(Tick.EXPIRE);
      shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    }
    return this;
  }

  private Behavior<Command> onGetPending(GetPending query) {
    query.replyTo().tell(pending.size());
    return this;
  }

  private void reportDisplaced() {
    long now = pending.displaced();
    if (now > displacedReported) {
      counters.displacedUnmatched(now - displacedReported);
      displacedReported = now;
    }
  }
}
