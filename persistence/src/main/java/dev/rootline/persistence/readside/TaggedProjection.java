package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import dev.rootline.persistence.JournalSchema;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-side projection: follows one tag of the Cassandra journal with {@code eventsByTag} from
 * the offset stored in {@code projection_offsets} and hands every event to its {@link
 * EventWriter}. {@link TraceProjection} and {@link IssueProjection} are two of them.
 *
 * <p>Delivery is at least once: the offset is stored after the rows are written, so after a
 * restart the events since the last stored offset are projected again (writers must be
 * idempotent). A failure (Cassandra down, a timeout) restarts the stream from the stored offset
 * with backoff; it never stops on its own and never takes the node down.
 */
public final class TaggedProjection {

  private static final Logger log = LoggerFactory.getLogger(TaggedProjection.class);

  /** How long {@link Running#stop()} lets the stream write what it has read before cancelling. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  /** What a projection does with each event of its tag. */
  interface EventWriter {
    /**
     * Writes the event's rows. Completes with true when written, false when the event is not one
     * this projection writes (counted as skipped). Throws {@link IllegalArgumentException} for an
     * event that can never be written (skipped and logged instead of retried forever).
     */
    CompletionStage<Boolean> write(EventEnvelope envelope);
  }

  /** Prepares the writer's statements once per run (after the schema exists). */
  interface WriterFactory {
    CompletionStage<EventWriter> prepare(CassandraSession session, ReadSideSettings settings);
  }

  /** A running projection. */
  public static final class Running {
    private final SharedKillSwitch drain;
    private final UniqueKillSwitch cancel;
    private final CompletionStage<Done> done;
    private final Counters counters;

    private Running(SharedKillSwitch drain, UniqueKillSwitch cancel, CompletionStage<Done> done, Counters counters) {
      this.drain = drain;
      this.cancel = cancel;
      this.done = done;
      this.counters = counters;
    }

    /**
     * Stops following the journal: the events already read are written and their offset stored
     * before the stream completes (a stream waiting to restart is cancelled after {@link
     * #DRAIN_TIMEOUT}). Completes when the stream has stopped.
     */
    public CompletionStage<Done> stop() {
      drain.shutdown();
      CompletableFuture.delayedExecutor(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).execute(cancel::shutdown);
      return done;
    }

    /** Completes when the projection has stopped (only after {@link #stop()}). */
    public CompletionStage<Done> whenStopped() {
      return done;
    }

    /** Events written to the read side since start (replays included). */
    public long projected() {
      return counters.projected.get();
    }

    /** Events skipped: other event types, or rows Cassandra refused as invalid. */
    public long skipped() {
      return counters.skipped.get();
    }

    /** Stream restarts after failures. */
    public long restarts() {
      return Math.max(0, counters.runs.get() - 1);
    }
  }

  private static final class Counters {
    final AtomicLong projected = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong runs = new AtomicLong();
  }

  /** What one projection is: its name in logs, its tag, its offset row and its writer. */
  record Definition(String name, String tag, String projectionName, WriterFactory writers) {}

  private TaggedProjection() {}

  static Running start(ActorSystem<?> system, ReadSideSettings settings, Definition definition) {
    CassandraSession session =
        CassandraSessionRegistry.get(system).sessionFor(ReadSideSettings.CASSANDRA_PLUGIN_PATH);
    CassandraReadJournal journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    Counters counters = new Counters();
    RestartSettings restart =
        RestartSettings.create(
            settings.restartMinBackoff(), settings.restartMaxBackoff(), settings.restartRandomFactor());

    SharedKillSwitch drain = KillSwitches.shared(definition.tag() + "-projection");
    // Only failures restart: a run completes only when drained by stop().
    Pair<UniqueKillSwitch, CompletionStage<Done>> running =
        RestartSource.onFailuresWithBackoff(
                restart, () -> oneRun(system, session, journal, drain, settings, definition, counters))
            .viaMat(KillSwitches.single(), Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    running
        .second()
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                log.error("{} stopped with a failure", definition.name(), error);
              } else {
                log.info("{} stopped", definition.name());
              }
            });
    return new Running(drain, running.first(), running.second(), counters);
  }

  /**
   * One run: journal schema (the tag_views table it reads), read-side schema, stored offset, then
   * follow the tag and store offsets as we go.
   */
  private static Source<TimeBasedUUID, NotUsed> oneRun(
      ActorSystem<?> system,
      CassandraSession session,
      CassandraReadJournal journal,
      SharedKillSwitch drain,
      ReadSideSettings settings,
      Definition definition,
      Counters counters) {
    long run = counters.runs.incrementAndGet();
    ProjectionOffsetStore offsets = new ProjectionOffsetStore(session, settings, definition.projectionName());
    Source<TimeBasedUUID, ?> source =
        Source.lazyCompletionStageSource(
            () ->
                JournalSchema.create(system)
                    .thenCompose(journalReady -> ReadSideSchema.create(session, settings))
                    .thenCompose(created -> definition.writers().prepare(session, settings))
                    .thenCompose(
                        writer ->
                            offsets
                                .load()
                                .thenApply(
                                    offset -> {
                                      log.info(
                                          "{} {} following tag '{}' in keyspace {} from {}{}",
                                          definition.name(), definition.projectionName(), definition.tag(),
                                          settings.keyspace(), offset, run > 1 ? " (restart " + (run - 1) + ")" : "");
                                      return follow(journal, offset, drain, writer, offsets, settings, definition, counters);
                                    })));
    return source
        .watchTermination(
            (mat, termination) -> {
              termination.whenComplete(
                  (done, error) -> {
                    if (error != null) {
                      log.warn(
                          "{} failed, restarting from the stored offset with backoff (min {}, max {}): {}",
                          definition.name(), settings.restartMinBackoff(), settings.restartMaxBackoff(),
                          unwrap(error).toString());
                    }
                  });
              return NotUsed.getInstance();
            });
  }

  private static Source<TimeBasedUUID, NotUsed> follow(
      CassandraReadJournal journal,
      Offset from,
      SharedKillSwitch drain,
      EventWriter writer,
      ProjectionOffsetStore offsets,
      ReadSideSettings settings,
      Definition definition,
      Counters counters) {
    return journal
        .eventsByTag(definition.tag(), from)
        .via(drain.flow())
        .mapAsync(1, envelope -> project(envelope, writer, definition, counters).thenApply(done -> envelope.offset()))
        .filter(offset -> offset instanceof TimeBasedUUID)
        .map(offset -> (TimeBasedUUID) offset)
        .groupedWithin(settings.offsetStoreBatch(), settings.offsetStoreInterval())
        .mapAsync(
            1,
            batch -> {
              TimeBasedUUID last = batch.get(batch.size() - 1);
              return offsets.save(last).thenApply(saved -> last);
            });
  }

  private static CompletionStage<Done> project(
      EventEnvelope envelope, EventWriter writer, Definition definition, Counters counters) {
    CompletionStage<Boolean> written;
    try {
      written = writer.write(envelope);
    } catch (RuntimeException invalid) {
      // An event no row can be built from: retrying would never succeed.
      return skipInvalid(envelope, invalid, definition, counters);
    }
    return written
        .thenApply(
            projected -> {
              if (projected) {
                counters.projected.incrementAndGet();
              } else {
                counters.skipped.incrementAndGet();
                log.debug("{} skips {} of {}", definition.name(), envelope.event().getClass().getName(), envelope.persistenceId());
              }
              return Done.getInstance();
            })
        .exceptionallyCompose(
            error -> {
              Throwable cause = unwrap(error);
              // Cassandra refused the row itself (too large, invalid): skip it instead of looping.
              if (cause instanceof QueryValidationException) {
                return skipInvalid(envelope, cause, definition, counters);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  private static CompletionStage<Done> skipInvalid(
      EventEnvelope envelope, Throwable why, Definition definition, Counters counters) {
    counters.skipped.incrementAndGet();
    log.warn(
        "{} skips {} seq {}: {}",
        definition.name(), envelope.persistenceId(), envelope.sequenceNr(), why.toString());
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }
}
