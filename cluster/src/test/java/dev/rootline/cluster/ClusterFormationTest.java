package dev.rootline.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

class ClusterFormationTest {

  @Test
  void aNodeWithoutSeedsFormsItsOwnClusterWithItsRoles() throws Exception {
    var settings =
        new ClusterSettings("rootline-test", "127.0.0.1", 0, List.of(), List.of("trace", "api"));
    var config = PekkoClusterConfig.apply(settings, ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "rootline-test", config);
    try {
      ClusterFormation.join(system, settings, Duration.ofSeconds(20))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      var self = Cluster.get(system).selfMember();
      assertThat(self.status()).isEqualTo(MemberStatus.up());
      assertThat(self.getRoles()).contains("trace", "api");
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void seedNodesBecomePekkoAddresses() {
    var settings =
        new ClusterSettings("rootline", "10.0.0.1", 25520, List.of("10.0.0.2:25520"), List.of("trace"));
    var config = PekkoClusterConfig.apply(settings, ConfigFactory.empty());
    assertThat(PekkoClusterConfig.seedAddresses(settings))
        .extracting(Object::toString)
        .containsExactly("pekko://rootline@10.0.0.2:25520");
    // joined by ClusterFormation once the node's regions exist, not by Pekko at system start
    assertThat(config.getStringList("pekko.cluster.seed-nodes")).isEmpty();
    assertThat(config.getString("pekko.actor.provider")).isEqualTo("cluster");
    assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25520);
  }

  @Test
  void theHeartbeatPauseAndTheUnstableWindowReachPekko() {
    var settings =
        ClusterSettings.create(
            ConfigFactory.parseString(
                    "rootline.cluster.failure-detector.acceptable-heartbeat-pause = 11s\n"
                        + "rootline.cluster.split-brain-resolver.down-all-when-unstable = 25s")
                .withFallback(ConfigFactory.load()));
    var config = PekkoClusterConfig.apply(settings, ConfigFactory.empty());
    assertThat(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))
        .isEqualTo(Duration.ofSeconds(11));
    assertThat(config.getDuration("pekko.cluster.split-brain-resolver.down-all-when-unstable"))
        .isEqualTo(Duration.ofSeconds(25));
    var defaults = ClusterSettings.create(ConfigFactory.load());
    assertThat(defaults.acceptableHeartbeatPause()).as("documented default").isEqualTo(Duration.ofSeconds(8));
    assertThat(defaults.sbrDownAllWhenUnstable()).as("documented default").isEqualTo(Duration.ofSeconds(20));
    assertThatThrownBy(
            () -> ClusterSettings.create(
                ConfigFactory.parseString("rootline.cluster.failure-detector.acceptable-heartbeat-pause = 0s")
                    .withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acceptable-heartbeat-pause");
  }
}
