package dev.rootline.actors.capture;

import static dev.rootline.actors.capture.ProbeActorTest.accept;
import static dev.rootline.actors.capture.ProbeActorTest.read;
import static dev.rootline.actors.capture.ProbeActorTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureEvent;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Span and trace ids come from what was captured, not from a random draw: a node that re-reads a
 * request after a capture handover gives it the ids its predecessor gave it (its trace entity
 * then sees one span, not two), while another host gives other ids.
 */
class SpanIdsTest {

  @Test
  void theSameEventsOnTheSameHostGiveTheSameIdsAndAnotherHostOthers() {
    long t0 = 1_700_000_000_000_000_000L;
    List<CaptureEvent> events =
        List.of(
            accept(t0),
            read(t0 + 1_000_000, "GET /a HTTP/1.1\r\n\r\n"),
            write(t0 + 2_000_000, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
            read(t0 + 3_000_000, "GET /b HTTP/1.1\r\n\r\n"),
            write(t0 + 4_000_000, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n"));

    List<Span> first = assemble("host-1", events);
    List<Span> again = assemble("host-1", events);
    List<Span> elsewhere = assemble("host-2", events);

    assertThat(first).hasSize(2);
    assertThat(again).isEqualTo(first);
    assertThat(first.get(0).spanId()).isNotEqualTo(first.get(1).spanId());
    assertThat(first.get(0).traceId()).isNotEqualTo(first.get(1).traceId());
    assertThat(elsewhere).extracting(Span::spanId).doesNotContainAnyElementsOf(first.stream().map(Span::spanId).toList());
    assertThat(elsewhere).extracting(Span::traceId).doesNotContainAnyElementsOf(first.stream().map(Span::traceId).toList());
  }

  private static List<Span> assemble(String host, List<CaptureEvent> events) {
    CaptureAssemblySettings settings =
        CaptureAssemblySettings.create(
            ConfigFactory.parseString("rootline.actors.capture.host = " + host)
                .withFallback(ConfigFactory.load())
                .resolve());
    List<Span> spans = new ArrayList<>();
    SpanAssembler assembler = new SpanAssembler(settings, spans::add);
    assembler.acceptBatch(events);
    assembler.tick(events.get(events.size() - 1).endEpochNanos() + 60_000_000_000L);
    return spans;
  }
}
