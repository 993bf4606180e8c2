package dev.rootline.persistence.readside;

import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.TraceEvent;
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
 * Follows {@link TraceEvent#TAG} in the Cassandra journal and upserts every {@link
 * TraceEvent.TraceRetained} into the read-side tables.
 *
 * <p>Delivery is at least once: the offset is stored after the rows are written, so after a
 * restart the events since the last stored offset are projected again (the upserts are
 * idempotent). A failure (Cassandra down, a timeout) restarts the stream from the stored offset
 * with backoff; it never stops on its own and never takes the node down.
 */
public final class TraceProjection {

  private static final Logger log = LoggerFactory.getLogger(TraceProjection.class);

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

    /** Retained traces written to the read side since start (replays included). */
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

  /** How long {@link Running#stop()} lets the stream write what it has read before cancelling. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private TraceProjection() {}

  /** Starts the projection with the settings of {@code rootline.persistence.read-side}. */
  public static Running start(ActorSystem<?> system) {
    return start(system, ReadSideSettings.create(system.settings().config()));
  }

  public static Running start(ActorSystem<?> system, ReadSideSettings settings) {
    CassandraSession session =
        CassandraSessionRegistry.get(system).sessionFor(ReadSideSettings.CASSANDRA_PLUGIN_PATH);
    CassandraReadJournal journal =
        PersistenceQuery.get(system.classicSystem())
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    Counters counters = new Counters();
    RestartSettings restart =
        RestartSettings.create(
            settings.restartMinBackoff(), settings.restartMaxBackoff(), settings.restartRandomFactor());

    SharedKillSwitch drain = KillSwitches.shared("trace-projection");
    // Only failures restart: a run completes only when drained by stop().
    Pair<UniqueKillSwitch, CompletionStage<Done>> running =
        RestartSource.onFailuresWithBackoff(restart, () -> oneRun(system, session, journal, drain, settings, counters))
            .viaMat(KillSwitches.single(), Keep.right())
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    running
        .second()
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                log.error("trace projection stopped with a failure", error);
              } else {
                log.info("trace projection stopped");
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
      Counters counters) {
    long run = counters.runs.incrementAndGet();
    ProjectionOffsetStore offsets = new ProjectionOffsetStore(session, settings);
    Source<TimeBasedUUID, ?> source =
        Source.lazyCompletionStageSource(
            () ->
                JournalSchema.create(system)
                    .thenCompose(journalReady -> ReadSideSchema.create(session, settings))
                    .thenCompose(created -> TraceReadSideWriter.prepare(session, settings))
                    .thenCompose(
                        writer ->
                            offsets
                                .load()
                                .thenApply(
                                    offset -> {
                                      log.info(
                                          "trace projection {} following tag '{}' in keyspace {} from {}{}",
                                          settings.projectionName(), TraceEvent.TAG, settings.keyspace(),
                                          offset, run > 1 ? " (restart " + (run - 1) + ")" : "");
                                      return follow(journal, offset, drain, writer, offsets, settings, counters);
                                    })));
    return source
        .watchTermination(
            (mat, termination) -> {
              termination.whenComplete(
                  (done, error) -> {
                    if (error != null) {
                      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                      log.warn(
                          "trace projection failed, restarting from the stored offset with backoff"
                              + " (min {}, max {}): {}",
                          settings.restartMinBackoff(), settings.restartMaxBackoff(), cause.toString());
                    }
                  });
              return NotUsed.getInstance();
            });
  }

  private static Source<TimeBasedUUID, NotUsed> follow(
      CassandraReadJournal journal,
      Offset from,
      SharedKillSwitch drain,
      TraceReadSideWriter writer,
      ProjectionOffsetStore offsets,
      ReadSideSettings settings,
      Counters counters) {
    return journal
        .eventsByTag(TraceEvent.TAG, from)
        .via(drain.flow())
        .mapAsync(1, envelope -> project(envelope, writer, counters).thenApply(done -> envelope.offset()))
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

  private static CompletionStage<Done> project(EventEnvelope envelope, TraceReadSideWriter writer, Counters counters) {
    if (!(envelope.event() instanceof TraceEvent.TraceRetained retained)) {
      counters.skipped.incrementAndGet();
      log.debug("trace projection skips {} of {}", envelope.event().getClass().getName(), envelope.persistenceId());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletionStage<Done> written;
    try {
      written = writer.upsert(retained.trace());
    } catch (RuntimeException invalid) {
      // A trace the summary cannot be built from (no spans): retrying would never succeed.
      return skipInvalid(envelope, invalid, counters);
    }
    return written
        .thenApply(
            done -> {
              counters.projected.incrementAndGet();
              return done;
            })
        .exceptionallyCompose(
            error -> {
              Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
              // Cassandra refused the row itself (too large, invalid): skip it instead of looping.
              if (cause instanceof QueryValidationException) {
                return skipInvalid(envelope, cause, counters);
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  private static CompletionStage<Done> skipInvalid(EventEnvelope envelope, Throwable why, Counters counters) {
    counters.skipped.incrementAndGet();
    log.warn(
        "trace projection skips {} seq {}: {}",
        envelope.persistenceId(), envelope.sequenceNr(), why.toString());
    return CompletableFuture.completedFuture(Done.getInstance());
  }
}
