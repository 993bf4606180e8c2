package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.TraceEvent;
import dev.rootline.persistence.TraceListingKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TraceRecordTest {

  // EventSourcedBehaviorTestKit checks that commands, events, state and replies serialize: it
  // needs this module's bindings (reference.conf -> serialization.conf).
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "TraceRecordTest", EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private String traceId;
  private List<Span> spans;
  private EventSourcedBehaviorTestKit<TraceRecord.Command, TraceEvent, TraceRecord.State> record;

  @BeforeEach
  void setUp() {
    spans = new ArrayList<>(TestSpans.checkout("python3:8080", "/checkout", 30, 1000));
    spans.set(2, TestSpans.withStatus(spans.get(2), 500));
    traceId = spans.get(0).traceId();
    record =
        EventSourcedBehaviorTestKit.create(testKit.system(), TraceRecord.create(traceId));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void retainPersistsOneTaggedEventAndAcks() {
    RetainedTrace trace = retained(spans);

    var result = record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(trace, replyTo));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.event()).isEqualTo(new TraceEvent.TraceRetained(trace));
    assertThat(result.state().latest()).isEqualTo(trace);
    assertThat(((TraceRecord) TraceRecord.create(traceId)).tagsFor(result.event()))
        .containsExactly(TraceEvent.TAG);
  }

  @Test
  void retainingTheSameSpansAgainPersistsNothing() {
    record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(retained(spans), replyTo));

    // A retry after a lost ack: same spans, a later decision time.
    RetainedTrace again = new RetainedTrace(traceId, spans, 0.0, List.of("x"), 2);
    var result = record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(again, replyTo));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.hasNoEvents()).isTrue();
  }

  @Test
  void moreSpansPersistANewVersion() {
    record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(retained(spans), replyTo));
    List<Span> more = new ArrayList<>(spans);
    more.add(TestSpans.server(traceId, spans.get(0).spanId(), "python3:8083", "/late", 2));

    var result =
        record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(retained(more), replyTo));

    assertThat(result.reply().isSuccess()).isTrue();
    assertThat(result.eventOfType(TraceEvent.TraceRetained.class).trace().spans()).hasSize(4);
    assertThat(result.state().latest().spans()).hasSize(4);
  }

  @Test
  void aVersionWithFewerSpansKeepsWhatIsRecorded() {
    record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(retained(spans), replyTo));

    // A trace entity started afresh after passivation knows only the late span.
    Span late = TestSpans.server(traceId, spans.get(0).spanId(), "python3:8083", "/late", 2);
    var onlyLate = new RetainedTrace(traceId, List.of(late), 0.9, List.of("anomaly"), 3);
    var result =
        record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(onlyLate, replyTo));

    RetainedTrace stored = result.eventOfType(TraceEvent.TraceRetained.class).trace();
    assertThat(stored.spans()).hasSize(4).containsAll(spans).contains(late);
    assertThat(stored.reasons())
        .containsExactly("status 500 from python3:8082 GET /stock/7", "anomaly");
    assertThat(stored.anomalyScore()).isEqualTo(0.9);

    var subset =
        record.<StatusReply<Done>>runCommand(
            replyTo ->
                new TraceRecord.Retain(new RetainedTrace(traceId, spans, 0, List.of(), 4), replyTo));
    assertThat(subset.hasNoEvents()).isTrue();
    assertThat(subset.state().latest().spans()).hasSize(4);
  }

  @Test
  void aReDecisionThatFindsTheRootNamesHowThePreviousVersionWasListed() {
    // Decided early on the failing span alone (a backlog delivered it first), then with the rest.
    RetainedTrace early = retained(List.of(spans.get(2)));
    var first = record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(early, replyTo));
    assertThat(first.eventOfType(TraceEvent.TraceRetained.class).replaces()).isNull();

    var second = record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(retained(spans), replyTo));

    TraceEvent.TraceRetained event = second.eventOfType(TraceEvent.TraceRetained.class);
    assertThat(event.replaces()).isEqualTo(TraceListingKey.of(early));
    assertThat(event.replaces().startEpochNanos()).isGreaterThan(event.trace().summary().startEpochNanos());
    assertThat(event.replaces().services()).containsExactly(spans.get(2).service());
  }

  @Test
  void anotherTracesSpansAreRefused() {
    RetainedTrace other = retained(TestSpans.checkout("python3:8080", "/x", 5, 100));

    var result = record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(other, replyTo));

    assertThat(result.reply().isError()).isTrue();
    assertThat(result.reply().getError().getMessage()).contains("sent to the record of trace " + traceId);
    assertThat(result.hasNoEvents()).isTrue();
  }

  @Test
  void getAnswersTheLatestAndSurvivesRestart() {
    var empty = record.<TraceRecord.Current>runCommand(TraceRecord.Get::new);
    assertThat(empty.reply().retained()).isEmpty();

    RetainedTrace trace = retained(spans);
    record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(trace, replyTo));
    record.restart();

    var got = record.<TraceRecord.Current>runCommand(TraceRecord.Get::new);
    assertThat(got.reply().retained()).contains(trace);
    assertThat(TraceRecord.persistenceId(traceId).id()).isEqualTo("Trace|" + traceId);
  }

  @Test
  void recoversFromEventsAloneAndWritesNoSnapshot() {
    List<Span> growing = new ArrayList<>(spans);
    for (int v = 0; v < 25; v++) {
      growing.add(TestSpans.server(traceId, spans.get(0).spanId(), "python3:8083", "/late/" + v, 2 + v));
      RetainedTrace version = retained(List.copyOf(growing));
      record.<StatusReply<Done>>runCommand(replyTo -> new TraceRecord.Retain(version, replyTo));
    }
    var snapshots = record.snapshotTestKit().orElseThrow();
    String pid = TraceRecord.persistenceId(traceId).id();
    assertThat(snapshots.persistedInStorage(pid)).isEmpty();

    // A stale snapshot (as an older version of the record wrote) must not be read: a recovery
    // that read it would come back with only the first version's spans.
    snapshots.persistForRecovery(
        pid, List.of(Pair.create(SnapshotMeta.create(25), new TraceRecord.State(retained(spans)))));
    record.restart();

    var got = record.<TraceRecord.Current>runCommand(TraceRecord.Get::new);
    assertThat(got.reply().trace().spans()).containsExactlyInAnyOrderElementsOf(growing);
  }

  private RetainedTrace retained(List<Span> spans) {
    return new RetainedTrace(
        spans.get(0).traceId(), spans, 0.12, List.of("status 500 from python3:8082 GET /stock/7"), 1);
  }
}
