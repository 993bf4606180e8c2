package dev.rootline.actors.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.rootline.actors.trace.TraceSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSettingsTest {

  @Test
  void referenceConfHoldsTheDocumentedDefaults() {
    ModelSettings s = ModelSettings.create(ConfigFactory.load());

    assertThat(s.retrainAfterLabels()).isEqualTo(3);
    assertThat(s.retrainInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.maxLabels()).isEqualTo(1000);
    assertThat(s.maxVersions()).isEqualTo(50);
    assertThat(s.heldBackShare()).isEqualTo(0.3);
    assertThat(s.labelWeight()).isEqualTo(5);
    assertThat(s.snapshotEvery()).isEqualTo(20);
    assertThat(s.resyncInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.askTimeout()).isEqualTo(Duration.ofSeconds(10));
    // The prior must be the one every scorer trains: the same inference settings.
    assertThat(s.inference())
        .isEqualTo(TraceSettings.create(ConfigFactory.load()).scorer().inference());
    assertThat(ConfigFactory.load().hasPath(ModelSettings.TRAINING_DISPATCHER)).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "retrain-after-labels = 0 | retrain-after-labels",
        "retrain-interval = -1s | retrain-interval",
        "max-labels = 0 | max-labels",
        "max-versions = 1 | max-versions",
        "held-back-share = -0.1 | held-back-share",
        "held-back-share = 1 | held-back-share",
        "label-weight = 0 | label-weight",
        "snapshot-every = 0 | snapshot-every",
        "resync-interval = 0s | resync-interval",
        "ask-timeout = 0s | ask-timeout"
      })
  void nonsenseIsRefusedWithTheKeyInTheMessage(String setting, String key) {
    assertThatThrownBy(
            () ->
                ModelSettings.create(
                    ConfigFactory.parseString("rootline.actors.model." + setting)
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key);
  }
}
