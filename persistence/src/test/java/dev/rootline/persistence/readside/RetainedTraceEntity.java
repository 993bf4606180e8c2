package dev.rootline.persistence.readside;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TraceEvent;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The smallest event-sourced trace entity that writes {@link TraceEvent.TraceRetained} tagged like
 * the real one in the actors module (which depends on this module, so cannot be used here), each
 * version naming how the one before it was listed, as the real one does.
 */
final class RetainedTraceEntity
    extends EventSourcedBehavior<RetainedTraceEntity.Command, TraceEvent, Optional<RetainedTrace>> {

  sealed interface Command extends CborSerializable {}

  record Retain(RetainedTrace trace, ActorRef<Done> replyTo) implements Command {}

  record Get(ActorRef<Optional<RetainedTrace>> replyTo) implements Command {}

  static Behavior<Command> create(String traceId) {
    return new RetainedTraceEntity(traceId);
  }

  private RetainedTraceEntity(String traceId) {
    super(PersistenceId.of("Trace", traceId));
  }

  @Override
  public Optional<RetainedTrace> emptyState() {
    return Optional.empty();
  }

  @Override
  public CommandHandler<Command, TraceEvent, Optional<RetainedTrace>> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Retain.class,
            (state, cmd) ->
                Effect().persist(TraceEvent.TraceRetained.after(state.orElse(null), cmd.trace())).thenReply(cmd.replyTo(), s -> Done.getInstance()))
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<Optional<RetainedTrace>, TraceEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TraceEvent.TraceRetained.class, (state, event) -> Optional.of(event.trace()))
        .build();
  }

  @Override
  public Set<String> tagsFor(TraceEvent event) {
    return Set.of(TraceEvent.TAG);
  }
}
