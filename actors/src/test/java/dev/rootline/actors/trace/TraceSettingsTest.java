package dev.rootline.actors.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TraceSettingsTest {

  @Test
  void referenceConfHoldsTheDocumentedDefaults() {
    TraceSettings s = TraceSettings.create(ConfigFactory.load());

    assertThat(s.quietPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.maxDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.maxSpans()).isEqualTo(1000);
    assertThat(s.linger()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.scorer())
        .isEqualTo(new ScorerSettings(0.65, 512, 128, 64, 1000, 100, 256, 1));
    assertThat(ConfigFactory.load().hasPath(TraceSettings.SCORER_DISPATCHER)).isTrue();
    assertThat(ConfigFactory.load().getString(
            "pekko.actor.serialization-bindings.\"dev.rootline.persistence.CborSerializable\""))
        .isEqualTo("jackson-cbor");
  }

  @Test
  void persistBackoffDoublesUpToTheCap() {
    TraceSettings s = TraceSettings.create(ConfigFactory.load());

    assertThat(s.persistBackoff(1, 0)).isEqualTo(Duration.ofMillis(200));
    assertThat(s.persistBackoff(2, 0)).isEqualTo(Duration.ofMillis(400));
    assertThat(s.persistBackoff(100, 0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.persistBackoff(100, 1)).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void nonsenseIsRefusedWithTheKeyInTheMessage() {
    assertThatThrownBy(
            () ->
                TraceSettings.create(
                    ConfigFactory.parseString("rootline.actors.trace.scorer.threshold = 1.5")
                        .withFallback(ConfigFactory.load())))
        .hasMessageContaining("scorer.threshold");
    assertThatThrownBy(
            () ->
                TraceSettings.create(
                    ConfigFactory.parseString("rootline.actors.trace.quiet-period = 0s")
                        .withFallback(ConfigFactory.load())))
        .hasMessageContaining("quiet-period");
  }
}
