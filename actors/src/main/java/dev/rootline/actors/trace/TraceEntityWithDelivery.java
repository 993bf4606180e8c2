package dev.rootline.actors.trace;

import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.delivery.ShardingConsumerController;

/**
 * The sharded "Trace" entity as it runs: Pekko's {@link ShardingConsumerController} receives the
 * reliably delivered {@link SpanBatch}es (one ConsumerController per capture node) and hands them
 * to its child, the {@link TraceEntity}, which confirms each batch once its trace is decided.
 * Plain {@link TraceEntity.Command}s sent through sharding (status queries, sharding's stop
 * message, single spans) bypass the controller and go straight to that child.
 *
 * <p>So {@link TraceEntity#ENTITY_KEY} keeps its {@code Command} type for callers, while the
 * region also carries the controllers' {@code SequencedMessage}s (sharding does not check
 * message types at runtime; both kinds have serializers: reliable delivery's own and CBOR).
 */
final class TraceEntityWithDelivery {

  /** The name ShardingConsumerController gives the consumer behaviour it spawns (Pekko 1.x). */
  static final String CONSUMER_CHILD = "consumer";

  private TraceEntityWithDelivery() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Behavior<TraceEntity.Command> create(
      Function<ActorRef<ConsumerController.Start<SpanBatch>>, Behavior<TraceEntity.Command>>
          traceEntity) {
    Behavior<ConsumerController.SequencedMessage<SpanBatch>> controller =
        ShardingConsumerController.create(traceEntity::apply);
    Behavior<Object> any = (Behavior) controller;
    return Behaviors.intercept(CommandsToTheTraceEntity::new, any).narrow();
  }

  /** Routes {@link TraceEntity.Command}s to the consumer child; the rest to the controller. */
  private static final class CommandsToTheTraceEntity extends BehaviorInterceptor<Object, Object> {
    CommandsToTheTraceEntity() {
      super(Object.class);
    }

    @Override
    public Behavior<Object> aroundReceive(
        TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
      if (msg instanceof TraceEntity.Command command) {
        var child = ctx.asJava().getChild(CONSUMER_CHILD);
        if (child.isPresent()) {
          child.get().<TraceEntity.Command>unsafeUpcast().tell(command);
        } else {
          ctx.asJava().getLog().debug("trace entity already stopped; {} dropped", command);
        }
        return Behaviors.same();
      }
      return target.apply(ctx, msg);
    }
  }
}
