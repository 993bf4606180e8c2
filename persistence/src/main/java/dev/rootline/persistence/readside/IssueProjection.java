package dev.rootline.persistence.readside;

import dev.rootline.persistence.IssueEvent;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Follows {@link IssueEvent#TAG} in the Cassandra journal into the issue read-side tables
 * ({@link IssueReadSideWriter}); {@link TaggedProjection} does the following, the offsets (row
 * {@code rootline.persistence.read-side.issues.projection-name}) and the restarts.
 */
public final class IssueProjection {

  private IssueProjection() {}

  /** Starts the projection with the settings of {@code rootline.persistence.read-side}. */
  public static TaggedProjection.Running start(ActorSystem<?> system) {
    var config = system.settings().config();
    return start(system, ReadSideSettings.create(config), IssueReadSideSettings.create(config));
  }

  public static TaggedProjection.Running start(
      ActorSystem<?> system, ReadSideSettings settings, IssueReadSideSettings issues) {
    return TaggedProjection.start(
        system,
        settings,
        new TaggedProjection.Definition(
            "issue projection",
            IssueEvent.TAG,
            issues.projectionName(),
            (session, s) ->
                IssueReadSideWriter.prepare(session, s)
                    .thenApply(
                        writer ->
                            envelope ->
                                envelope.event() instanceof IssueEvent event
                                    ? writer.write(event, envelope.sequenceNr())
                                    : CompletableFuture.completedFuture(false))));
  }
}
