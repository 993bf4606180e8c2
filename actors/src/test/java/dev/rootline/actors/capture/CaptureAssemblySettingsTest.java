package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaptureAssemblySettingsTest {

  private static Config withDefaults(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("capture.conf"))
        .resolve();
  }

  @Test
  void defaultsFromCaptureConf() {
    CaptureAssemblySettings s = CaptureAssemblySettings.create(withDefaults(""));

    assertThat(s.host()).isNotBlank(); // the machine's name unless configured
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(s.excerptBytes()).isEqualTo(256);
    assertThat(s.maxHeaderBytes()).isEqualTo(16 * 1024);
    assertThat(s.maxHeaderCount()).isEqualTo(128);
    assertThat(s.maxBufferedBytesPerConnection()).isEqualTo(64 * 1024);
    assertThat(s.maxConnections()).isEqualTo(16384);
    assertThat(s.maxInFlightPerConnection()).isEqualTo(64);
    assertThat(s.connectionIdleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.stitchGrace()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.openMessageSettle()).isEqualTo(Duration.ofMillis(200));
    assertThat(withDefaults("").getString(CaptureAssemblySettings.DISPATCHER_PATH + ".type"))
        .isEqualTo("PinnedDispatcher");
  }

  @Test
  void configuredHostWins() {
    assertThat(CaptureAssemblySettings.create(withDefaults("rootline.actors.capture.host = web-7")).host())
        .isEqualTo("web-7");
  }

  @Test
  void nonsenseIsRefusedWithTheKeyInTheMessage() {
    assertThatThrownBy(
            () -> CaptureAssemblySettings.create(withDefaults("rootline.actors.capture.request-timeout = 0s")))
        .hasMessageContaining("request-timeout");
    assertThatThrownBy(
            () ->
                CaptureAssemblySettings.create(
                    withDefaults("rootline.actors.capture.connection-idle-timeout = 10s")))
        .hasMessageContaining("connection-idle-timeout");
    assertThatThrownBy(
            () -> CaptureAssemblySettings.create(withDefaults("rootline.actors.capture.max-header-bytes = 10")))
        .hasMessageContaining("maxHeaderBytes");
  }
}
