package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.TestCassandra;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole read side against a real Cassandra: an event-sourced entity persists TraceRetained
 * through the pekko-persistence-cassandra journal, the projection follows the tag into the read
 * tables, the queries list and get them; after an ActorSystem restart the entity replays its
 * events and the projection resumes from its stored offset.
 */
class TraceReadSideIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private ActorSystem<Void> system;
  private TaggedProjection.Running projection;

  /** Each test its own journal keyspace: both follow the same tag name. */
  private static Config freshConfig() {
    return TestCassandra.config(TestCassandra.uniqueKeyspace("readside_it"))
        .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO\npekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]"))
        .withFallback(ConfigFactory.load());
  }

  @AfterEach
  void stop() throws Exception {
    if (projection != null) {
      projection.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
      projection = null;
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      system = null;
    }
  }

  @Test
  void retainedTracesReachTheReadSideAndSurviveARestart() throws Exception {
    Instant now = Instant.now();
    RetainedTrace cart = Traces.trace(now.minus(10, ChronoUnit.MINUTES), "python3:8081", 500, "python3:8082");
    RetainedTrace login = Traces.trace(now.minus(5, ChronoUnit.MINUTES), "java:9000", 200);
    RetainedTrace yesterday = Traces.trace(now.minus(1, ChronoUnit.DAYS), "python3:8081", 504, "python3:8083");
    Config config = freshConfig();

    system = ActorSystem.create(Behaviors.empty(), "read-side-it", config);
    JournalSchema.create(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    projection = TraceProjection.start(system);
    CassandraTraceQueries queries = CassandraTraceQueries.create(system);
    for (RetainedTrace trace : List.of(cart, login, yesterday)) {
      retain(trace);
    }

    List<TraceSummary> all = awaitList(queries, new TraceFilter(null, null, null, 10), 3);
    assertThat(all).extracting(TraceSummary::traceId).containsExactly(login.traceId(), cart.traceId(), yesterday.traceId());
    assertThat(all.get(1)).isEqualTo(cart.summary());

    assertThat(list(queries, new TraceFilter("python3:8082", null, null, 10)))
        .extracting(TraceSummary::traceId)
        .containsExactly(cart.traceId());
    assertThat(list(queries, new TraceFilter("python3:8081", null, null, 10)))
        .extracting(TraceSummary::traceId)
        .containsExactly(cart.traceId(), yesterday.traceId());
    assertThat(list(queries, new TraceFilter(null, now.minus(15, ChronoUnit.MINUTES), null, 10)))
        .extracting(TraceSummary::traceId)
        .containsExactly(login.traceId(), cart.traceId());
    assertThat(list(queries, new TraceFilter(null, null, now.minus(7, ChronoUnit.MINUTES), 10)))
        .extracting(TraceSummary::traceId)
        .containsExactly(cart.traceId(), yesterday.traceId());
    assertThat(list(queries, new TraceFilter(null, null, null, 2)))
        .extracting(TraceSummary::traceId)
        .containsExactly(login.traceId(), cart.traceId());
    assertThat(list(queries, new TraceFilter("nobody:1", null, null, 10))).isEmpty();

    assertThat(get(queries, cart.traceId())).contains(cart);
    assertThat(get(queries, "0".repeat(32))).isEmpty();
    assertThat(projection.projected()).isGreaterThanOrEqualTo(3);

    // Restart: the entity replays its event from the journal, the projection resumes.
    stop();
    system = ActorSystem.create(Behaviors.empty(), "read-side-it", config);
    ActorRef<RetainedTraceEntity.Command> replayed = system.systemActorOf(RetainedTraceEntity.create(cart.traceId()), "replayed", org.apache.pekko.actor.typed.Props.empty());
    Optional<RetainedTrace> state =
        AskPattern.<RetainedTraceEntity.Command, Optional<RetainedTrace>>ask(
                replayed, RetainedTraceEntity.Get::new, TIMEOUT, system.scheduler())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(state).contains(cart);

    projection = TraceProjection.start(system);
    queries = CassandraTraceQueries.create(system);
    RetainedTrace afterRestart = Traces.trace(now.minus(1, ChronoUnit.MINUTES), "node:3000", 503, "python3:8082");
    retain(afterRestart);
    List<TraceSummary> afterAll = awaitList(queries, new TraceFilter(null, null, null, 10), 4);
    assertThat(afterAll)
        .extracting(TraceSummary::traceId)
        .containsExactly(afterRestart.traceId(), login.traceId(), cart.traceId(), yesterday.traceId());
    assertThat(list(queries, new TraceFilter("python3:8082", null, null, 10)))
        .extracting(TraceSummary::traceId)
        .containsExactly(afterRestart.traceId(), cart.traceId());
    // Resumed from the stored offset rather than from the beginning of the tag.
    assertThat(projection.projected()).isLessThan(4);
  }

  @Test
  void aFailingProjectionRestartsWithBackoffAndCatchesUpOnceCassandraAcceptsItsWrites() throws Exception {
    // The read side's keyspace is missing and may not be created: every run fails until it exists.
    String readKeyspace = TestCassandra.uniqueKeyspace("missing_read_side");
    Config failing =
        ConfigFactory.parseString(
                "rootline.persistence.read-side { keyspace = " + readKeyspace + ", keyspace-autocreate = off,"
                    + " restart-min-backoff = 200ms, restart-max-backoff = 1s }")
            .withFallback(freshConfig());
    system = ActorSystem.create(Behaviors.empty(), "read-side-failing-it", failing);
    JournalSchema.create(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    projection = TraceProjection.start(system);
    RetainedTrace trace = Traces.trace(Instant.now().minus(2, ChronoUnit.MINUTES), "python3:8090", 502);
    retain(trace);

    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (projection.restarts() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(projection.restarts()).isGreaterThanOrEqualTo(2);
    assertThat(projection.projected()).isZero();

    CassandraSessionRegistry.get(system)
        .sessionFor("pekko.persistence.cassandra")
        .executeDDL(
            "CREATE KEYSPACE IF NOT EXISTS " + readKeyspace
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    CassandraTraceQueries queries = CassandraTraceQueries.create(system);
    Optional<RetainedTrace> found = Optional.empty();
    while (found.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      try {
        found = get(queries, trace.traceId());
      } catch (java.util.concurrent.ExecutionException tablesNotThereYet) {
        found = Optional.empty();
      }
    }
    assertThat(found).contains(trace);
  }

  private void retain(RetainedTrace trace) throws Exception {
    ActorRef<RetainedTraceEntity.Command> entity =
        system.systemActorOf(RetainedTraceEntity.create(trace.traceId()), "trace-" + trace.traceId(), org.apache.pekko.actor.typed.Props.empty());
    Done done =
        AskPattern.<RetainedTraceEntity.Command, Done>ask(
                entity, replyTo -> new RetainedTraceEntity.Retain(trace, replyTo), TIMEOUT, system.scheduler())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(done).isEqualTo(Done.getInstance());
  }

  private static List<TraceSummary> list(CassandraTraceQueries queries, TraceFilter filter) throws Exception {
    return queries.list(filter).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Optional<RetainedTrace> get(CassandraTraceQueries queries, String traceId) throws Exception {
    return queries.get(traceId).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The read side follows the journal with a delay of a few seconds: poll until it has caught up. */
  private static List<TraceSummary> awaitList(CassandraTraceQueries queries, TraceFilter filter, int expected)
      throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<TraceSummary> found = List.of();
    while (System.nanoTime() < deadline) {
      found = list(queries, filter);
      if (found.size() >= expected) {
        return found;
      }
      Thread.sleep(500);
    }
    return found;
  }
}
