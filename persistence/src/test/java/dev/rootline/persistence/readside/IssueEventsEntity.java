package dev.rootline.persistence.readside;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.IssueEvent;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Persists the issue events a test gives it, tagged and identified like the real Issue entity in
 * the actors module (which depends on this module, so cannot be used here). State: the count.
 */
final class IssueEventsEntity extends EventSourcedBehavior<IssueEventsEntity.Command, IssueEvent, Integer> {

  sealed interface Command extends CborSerializable {}

  record Persist(List<IssueEvent> events, ActorRef<Done> replyTo) implements Command {}

  static Behavior<Command> create(String issueId) {
    return new IssueEventsEntity(issueId);
  }

  private IssueEventsEntity(String issueId) {
    super(PersistenceId.of("Issue", issueId));
  }

  @Override
  public Integer emptyState() {
    return 0;
  }

  @Override
  public CommandHandler<Command, IssueEvent, Integer> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Persist.class, (state, cmd) -> Effect().persist(cmd.events()).thenReply(cmd.replyTo(), s -> Done.getInstance()))
        .build();
  }

  @Override
  public EventHandler<Integer, IssueEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
  }

  @Override
  public Set<String> tagsFor(IssueEvent event) {
    return Set.of(IssueEvent.TAG);
  }
}
