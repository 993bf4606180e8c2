package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TestCassandra;
import dev.rootline.persistence.TraceEvent;
import dev.rootline.persistence.TraceFilter;
import dev.rootline.persistence.TraceSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A trace decided early on part of its spans and re-decided later with all of them (what a
 * cluster catching up on a backlog does) is listed once, as its latest decision, on the real
 * journal and read side; projecting its events again, in order or the older one after the newer
 * one, never brings the first listing back.
 */
class TraceRedecisionIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private final List<TaggedProjection.Running> projections = new ArrayList<>();
  private ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    for (TaggedProjection.Running projection : projections) {
      projection.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aReDecidedTraceIsListedOnceAsItsLatestDecisionAlsoAfterReplays() throws Exception {
    Instant now = Instant.now();
    // Cart: decided on the cart's 500 alone, then with the frontend's earlier root span.
    RetainedTrace cart = Traces.trace(now.minus(3, ChronoUnit.MINUTES), "frontend:8080", 500, "cart:8082");
    RetainedTrace cartEarly = partOf(cart, 2, List.of("status 500 from cart:8082"));
    // Items: decided rooted at the frontend's client call to /items, which started just after
    // midnight; the real root span started before it, the day before: the listing changes day.
    Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
    RetainedTrace items = Traces.trace(midnight.minusMillis(3), "frontend:8080", 504, "items:8083");
    RetainedTrace itemsEarly = partOf(items, 1, List.of("timeout from items:8083"));
    assertThat(listedDay(itemsEarly)).isEqualTo(listedDay(items).plusDays(1));

    Config config =
        TestCassandra.config(TestCassandra.uniqueKeyspace("redecision_it"))
            .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO\npekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]"))
            .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "redecision-it", config);
    JournalSchema.create(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    projections.add(TraceProjection.start(system));
    CassandraTraceQueries queries = CassandraTraceQueries.create(system);

    ActorRef<RetainedTraceEntity.Command> cartRecord = entity(cart.traceId());
    ActorRef<RetainedTraceEntity.Command> itemsRecord = entity(items.traceId());
    retain(cartRecord, cartEarly);
    retain(itemsRecord, itemsEarly);
    // The early decisions are listed before the re-decisions are made (as after a fault).
    await(() -> all(queries), list -> list.size() == 2);
    retain(cartRecord, cart);
    retain(itemsRecord, items);

    // Newest first (the cart trace is older than the items one when this runs just after midnight).
    List<TraceSummary> expected =
        Stream.of(cart.summary(), items.summary())
            .sorted(Comparator.comparingLong(TraceSummary::startEpochNanos).reversed())
            .toList();
    assertListedOnceAsLatest(queries, expected);
    assertThat(list(queries, new TraceFilter("cart:8082", null, null, 10))).containsExactly(cart.summary());
    assertThat(list(queries, new TraceFilter("items:8083", null, null, 10))).containsExactly(items.summary());
    assertThat(queries.get(cart.traceId()).toCompletableFuture().get(30, TimeUnit.SECONDS)).contains(cart);

    // A projection on a lagging node writes the first decisions after the re-decisions.
    TraceReadSideWriter stale =
        TraceReadSideWriter.prepare(
                CassandraSessionRegistry.get(system).sessionFor(ReadSideSettings.CASSANDRA_PLUGIN_PATH),
                ReadSideSettings.create(config))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    stale.write(new TraceEvent.TraceRetained(cartEarly), 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
    stale.write(new TraceEvent.TraceRetained(itemsEarly), 1).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(all(queries)).containsExactlyElementsOf(expected);
    assertThat(list(queries, new TraceFilter("cart:8082", null, null, 10))).containsExactly(cart.summary());
    assertThat(queries.get(cart.traceId()).toCompletableFuture().get(30, TimeUnit.SECONDS)).contains(cart);

    // A second projection replays all four events from the start of the tag, in order.
    Config replay =
        ConfigFactory.parseString("rootline.persistence.read-side.projection-name = trace-replay").withFallback(config);
    TaggedProjection.Running replaying = TraceProjection.start(system, ReadSideSettings.create(replay));
    projections.add(replaying);
    await(replaying::projected, projected -> projected >= 4);
    assertThat(replaying.projected()).isEqualTo(4);
    assertListedOnceAsLatest(queries, expected);
    assertThat(list(queries, new TraceFilter("items:8083", null, null, 10))).containsExactly(items.summary());
  }

  private void assertListedOnceAsLatest(CassandraTraceQueries queries, List<TraceSummary> expected) throws Exception {
    List<TraceSummary> listed = await(() -> all(queries), list -> list.equals(expected));
    assertThat(listed).extracting(TraceSummary::traceId).doesNotHaveDuplicates();
    assertThat(listed).containsExactlyElementsOf(expected);
  }

  /** The spans from index {@code from} on: what a trace entity held when it decided too early. */
  private static RetainedTrace partOf(RetainedTrace trace, int from, List<String> reasons) {
    List<Span> spans = trace.spans().subList(from, trace.spans().size());
    return new RetainedTrace(trace.traceId(), spans, 0.9, reasons, trace.decidedAtEpochMillis() - 2_000);
  }

  private static LocalDate listedDay(RetainedTrace trace) {
    return DayBuckets.dayOf(trace.summary().startEpochNanos());
  }

  private ActorRef<RetainedTraceEntity.Command> entity(String traceId) {
    return system.systemActorOf(RetainedTraceEntity.create(traceId), "trace-" + traceId, Props.empty());
  }

  private void retain(ActorRef<RetainedTraceEntity.Command> entity, RetainedTrace trace) throws Exception {
    Done done =
        AskPattern.<RetainedTraceEntity.Command, Done>ask(
                entity, replyTo -> new RetainedTraceEntity.Retain(trace, replyTo), TIMEOUT, system.scheduler())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertThat(done).isEqualTo(Done.getInstance());
  }

  private static List<TraceSummary> all(CassandraTraceQueries queries) throws Exception {
    return list(queries, new TraceFilter(null, null, null, 100));
  }

  private static List<TraceSummary> list(CassandraTraceQueries queries, TraceFilter filter) throws Exception {
    return queries.list(filter).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The read side follows the journal a few seconds behind: poll until {@code done}, or time out. */
  private static <T> T await(Callable<T> read, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    T value = read.call();
    while (!done.test(value) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      value = read.call();
    }
    return value;
  }
}
