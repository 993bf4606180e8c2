package dev.rootline.actors.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.policy.CapturePolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {

  @Test
  void theDefaultPolicyIsWhatTheCaptureAndTheScorerAreConfiguredWith() {
    PolicySettings settings = PolicySettings.create(ConfigFactory.load());
    assertThat(settings.defaults())
        .isEqualTo(new CapturePolicy(true, 1024, 0.05, 0.65, 2000L, CapturePolicy.MASKING_RULES, List.of()));
    assertThat(settings.resyncInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.historySize()).isEqualTo(200);
  }

  @Test
  void anInvalidDefaultStopsTheNodeWithTheProblem() {
    assertThatThrownBy(
            () ->
                PolicySettings.create(
                    ConfigFactory.parseString("rootline.policy.defaults.normal-share = 2")
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("normalShare must be between 0 and 1, was 2.0");
  }
}
