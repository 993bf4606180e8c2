package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CapturePolicySettingsTest {

  @Test
  void defaultsComeFromCaptureConfAndMatchTheConstant() {
    CapturePolicySettings settings =
        CapturePolicySettings.create(ConfigFactory.parseResources("capture.conf").resolve());
    assertThat(settings.deadPidCheckInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings).isEqualTo(CapturePolicySettings.DEFAULT);
  }

  @Test
  void aNonPositiveIntervalIsRefusedWithItsKey() {
    assertThatThrownBy(() -> new CapturePolicySettings(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rootline.actors.capture.policy.dead-pid-check-interval");
    assertThatThrownBy(
            () -> CapturePolicySettings.create(
                ConfigFactory.parseString("rootline.actors.capture.policy.dead-pid-check-interval = -1s")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
