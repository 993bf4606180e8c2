package dev.rootline.node.imports;

import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.trace.TraceRecord;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.RetainedTrace;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Persists retained traces the way a trace entity does: {@link TraceRecord.Retain}, then (when
 * the trace is an occurrence of an issue) {@link IssueEntity.RecordOccurrence}. At most {@code
 * in-flight} traces at once ({@link #write} blocks for a slot); each ask is retried with backoff,
 * and once one has failed {@code persist-attempts} times the writer is broken: the next {@link
 * #write} or {@link #awaitAll} throws {@link PersistFailedException} with the cause.
 */
final class RetainedTraceWriter {

  /** Cassandra (or the entities) did not accept a write after every attempt. */
  static final class PersistFailedException extends RuntimeException {
    PersistFailedException(String message) {
      super(message);
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ImportSettings settings;
  private final Semaphore slots;
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final AtomicLong persisted = new AtomicLong();
  private final AtomicLong occurrences = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Set<String> issues = ConcurrentHashMap.newKeySet();

  RetainedTraceWriter(ActorSystem<?> system, ImportSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.slots = new Semaphore(settings.inFlight());
  }

  /** Starts persisting {@code trace} (and its occurrence, may be null) once a slot is free. */
  void write(RetainedTrace trace, IssueOccurrence occurrence) throws InterruptedException {
    throwIfFailed();
    while (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
      throwIfFailed();
    }
    retrying("retained trace " + trace.traceId(), () -> retain(trace))
        .thenCompose(done -> occurrence == null
            ? CompletableFuture.completedFuture(done)
            : retrying("occurrence of issue " + occurrence.issueId(), () -> record(occurrence))
                .thenApply(recorded -> {
                  occurrences.incrementAndGet();
                  issues.add(occurrence.issueId());
                  return recorded;
                }))
        .whenComplete((done, error) -> {
          if (error == null) {
            persisted.incrementAndGet();
          } else {
            failure.compareAndSet(null, error.getMessage());
          }
          slots.release();
        });
  }

  /** Waits until every write started has finished. */
  void awaitAll(Duration timeout) throws InterruptedException {
    if (!slots.tryAcquire(settings.inFlight(), timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new PersistFailedException("writes still pending after " + timeout.toSeconds() + " s");
    }
    slots.release(settings.inFlight());
    throwIfFailed();
  }

  long persisted() {
    return persisted.get();
  }

  long occurrences() {
    return occurrences.get();
  }

  long retries() {
    return retries.get();
  }

  /** Issue ids that recorded at least one occurrence. */
  Set<String> issues() {
    return Set.copyOf(issues);
  }

  private void throwIfFailed() {
    String why = failure.get();
    if (why != null) {
      throw new PersistFailedException(why);
    }
  }

  private CompletionStage<Done> retain(RetainedTrace trace) {
    return sharding.entityRefFor(TraceRecord.ENTITY_KEY, trace.traceId())
        .askWithStatus(replyTo -> new TraceRecord.Retain(trace, replyTo), settings.persistTimeout());
  }

  private CompletionStage<Done> record(IssueOccurrence occurrence) {
    return sharding.entityRefFor(IssueEntity.ENTITY_KEY, occurrence.issueId())
        .askWithStatus(replyTo -> new IssueEntity.RecordOccurrence(occurrence, replyTo),
            settings.persistTimeout());
  }

  private CompletionStage<Done> retrying(String what, Supplier<CompletionStage<Done>> ask) {
    CompletableFuture<Done> result = new CompletableFuture<>();
    attempt(what, ask, 1, result);
    return result;
  }

  private void attempt(String what, Supplier<CompletionStage<Done>> ask, int attempt,
      CompletableFuture<Done> result) {
    ask.get().whenComplete((done, error) -> {
      if (error == null) {
        result.complete(done);
      } else if (attempt >= settings.persistAttempts()) {
        result.completeExceptionally(new PersistFailedException(String.format(
            "%s not persisted after %d attempts (is Cassandra up?): %s", what, attempt, error)));
      } else {
        retries.incrementAndGet();
        Duration delay = settings.backoff(attempt, ThreadLocalRandom.current().nextDouble());
        system.scheduler().scheduleOnce(delay, () -> attempt(what, ask, attempt + 1, result),
            system.executionContext());
      }
    });
  }
}
