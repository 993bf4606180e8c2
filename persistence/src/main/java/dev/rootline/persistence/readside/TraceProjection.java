package dev.rootline.persistence.readside;

import dev.rootline.persistence.TraceEvent;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Follows {@link TraceEvent#TAG} in the Cassandra journal and writes every {@link
 * TraceEvent.TraceRetained} into the trace read-side tables, moving a re-decided trace's list rows
 * rather than adding to them ({@link TraceReadSideWriter}); {@link TaggedProjection} does the
 * following, the offsets and the restarts.
 */
public final class TraceProjection {

  private TraceProjection() {}

  /** Starts the projection with the settings of {@code rootline.persistence.read-side}. */
  public static TaggedProjection.Running start(ActorSystem<?> system) {
    return start(system, ReadSideSettings.create(system.settings().config()));
  }

  public static TaggedProjection.Running start(ActorSystem<?> system, ReadSideSettings settings) {
    return TaggedProjection.start(
        system,
        settings,
        new TaggedProjection.Definition(
            "trace projection",
            TraceEvent.TAG,
            settings.projectionName(),
            (session, s) ->
                TraceReadSideWriter.prepare(session, s)
                    .thenApply(
                        writer ->
                            envelope ->
                                envelope.event() instanceof TraceEvent.TraceRetained retained
                                    // A trace without spans throws here: skipped as invalid.
                                    ? writer.write(retained, envelope.sequenceNr()).thenApply(done -> true)
                                    : CompletableFuture.completedFuture(false))));
  }
}
