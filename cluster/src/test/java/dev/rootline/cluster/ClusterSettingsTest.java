package dev.rootline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rootline.cluster.delivery.DeliverySettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void defaultsAreAllRolesNoSeedsAndKeepMajority() {
    ClusterSettings s = ClusterSettings.create(with(""));
    assertThat(s.roles()).containsExactly("capture", "trace", "api");
    assertThat(s.seedNodes()).isEmpty();
    assertThat(s.sbrStrategy()).isEqualTo("keep-majority");
    assertThat(s.sbrStableAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void rolesAndSeedsMayComeAsOneCommaSeparatedString() {
    // What ${?ROOTLINE_CLUSTER_ROLES} / ${?ROOTLINE_CLUSTER_SEED_NODES} give.
    ClusterSettings s =
        ClusterSettings.create(
            with("rootline.cluster { roles = \"trace, api\", seed-nodes = \"10.0.0.1:25520,10.0.0.2:25520\" }"));
    assertThat(s.roles()).containsExactly("trace", "api");
    assertThat(s.hasRole(ClusterSettings.CAPTURE)).isFalse();
    assertThat(s.seedNodes()).containsExactly("10.0.0.1:25520", "10.0.0.2:25520");
  }

  @Test
  void unknownRolesEmptyRolesAndBadSeedsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> ClusterSettings.create(with("rootline.cluster.roles = [trace, tracer]")))
        .hasMessageContaining("tracer");
    assertThatThrownBy(() -> ClusterSettings.create(with("rootline.cluster.roles = []")))
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> ClusterSettings.create(with("rootline.cluster.seed-nodes = [\"10.0.0.1\"]")))
        .hasMessageContaining("host:port");
  }

  @Test
  void theSplitBrainResolverSettingsReachPekko() {
    Config pekko =
        PekkoClusterConfig.apply(
            ClusterSettings.create(with("rootline.cluster.split-brain-resolver.stable-after = 12s")),
            ConfigFactory.empty());
    assertThat(pekko.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
    assertThat(pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after")).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void deliveryDefaultsAreReadAndBadValuesRefused() {
    DeliverySettings d = DeliverySettings.create(with(""));
    assertThat(d.batchQuietPeriod()).isEqualTo(Duration.ofMillis(300));
    assertThat(d.resendFirstUnconfirmedIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> DeliverySettings.create(with("rootline.cluster.delivery.max-buffered-spans = 0")))
        .hasMessageContaining("max-buffered-spans");
  }
}
