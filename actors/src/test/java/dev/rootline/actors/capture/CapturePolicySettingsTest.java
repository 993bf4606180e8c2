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
    assertThat(settings.procScanMaxProcesses()).isEqualTo(32768);
    assertThat(settings.procScanMaxFdsPerProcess()).isEqualTo(65536);
    assertThat(settings.procScanMaxSocketLines()).isEqualTo(200_000);
    assertThat(settings).isEqualTo(CapturePolicySettings.DEFAULT);
  }

  @Test
  void nonPositiveProcScanBoundsAreRefusedWithTheirKeys() {
    assertThatThrownBy(() -> new CapturePolicySettings(Duration.ofSeconds(1), 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proc-scan.max-processes");
    assertThatThrownBy(() -> new CapturePolicySettings(Duration.ofSeconds(1), 1, -1, 1))
        .hasMessageContaining("proc-scan.max-fds-per-process");
    assertThatThrownBy(() -> new CapturePolicySettings(Duration.ofSeconds(1), 1, 1, 0))
        .hasMessageContaining("proc-scan.max-socket-lines");
  }

  @Test
  void aNonPositiveIntervalIsRefusedWithItsKey() {
    assertThatThrownBy(() -> new CapturePolicySettings(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rootline.actors.capture.policy.dead-pid-check-interval");
    assertThatThrownBy(
            () -> CapturePolicySettings.create(
                ConfigFactory.parseString("rootline.actors.capture.policy.dead-pid-check-interval = -1s")
                    .withFallback(ConfigFactory.parseResources("capture.conf"))
                    .resolve()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
