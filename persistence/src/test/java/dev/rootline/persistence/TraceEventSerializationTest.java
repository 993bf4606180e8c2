package dev.rootline.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TraceEvent.TraceRetained} gained {@code replaces}: events in journals written before it
 * must still read back (as first versions), and new ones must round-trip through jackson-cbor.
 */
class TraceEventSerializationTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "TraceEventSerializationTest",
          ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  /** The event's shape before {@code replaces} existed. */
  record TraceRetainedBefore(RetainedTrace trace) implements CborSerializable {}

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anEventWithThePreviousListingRoundTrips() {
    TraceEvent.TraceRetained event = TraceEvent.TraceRetained.after(trace(200, "python3:8082"), trace(100, "python3:8081"));

    assertThat(event.replaces()).isEqualTo(new TraceListingKey(200, List.of("python3:8082")));
    assertThat(roundTrip(event, TraceEvent.TraceRetained.class.getName())).isEqualTo(event);
  }

  @Test
  void anEventWrittenBeforeReplacesExistedReadsBackAsAFirstVersion() {
    RetainedTrace trace = trace(100, "python3:8081");
    Object read = roundTrip(new TraceRetainedBefore(trace), TraceEvent.TraceRetained.class.getName());

    assertThat(read).isEqualTo(new TraceEvent.TraceRetained(trace));
    assertThat(((TraceEvent.TraceRetained) read).replaces()).isNull();
  }

  /** Serializes {@code written}, then reads the bytes back as the class named {@code manifest}. */
  private static Object roundTrip(Object written, String manifest) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    var serializer = serialization.findSerializerFor(written);
    assertThat(Serializers.manifestFor(serializer, written)).isNotEmpty();
    byte[] bytes = serialization.serialize(written).get();
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  private static RetainedTrace trace(long startNanos, String service) {
    Span span =
        new Span(
            "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", null, Span.Kind.SERVER, "host-a", service, 42,
            "GET", "/api/cart", 500, startNanos, startNanos + 10, 100, 200, "10.0.0.1:8081", "10.0.0.2:5000",
            "GET /api/cart HTTP/1.1", "HTTP/1.1 500", null);
    return new RetainedTrace(span.traceId(), List.of(span), 0.5, List.of("status 500"), 7);
  }
}
