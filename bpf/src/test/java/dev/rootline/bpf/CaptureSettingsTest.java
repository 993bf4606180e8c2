package dev.rootline.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptureSettingsTest {

  @Test
  void referenceConfHoldsTheDocumentedDefaults() {
    CaptureSettings s = CaptureSettings.create(ConfigFactory.load());

    assertThat(s.payloadBytes()).isEqualTo(1024);
    assertThat(s.ringBufferBytes()).isEqualTo(64 * 1024 * 1024);
    assertThat(s.pollBatchBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(s.targetMode()).isEqualTo(TargetMode.ALL_BUT_SELF);
    assertThat(s.targetPids()).isEmpty();
    assertThat(s.targetCgroupPaths()).isEmpty();
  }

  @Test
  void readsOverrides() {
    CaptureSettings s =
        CaptureSettings.create(
            config(
                "payload-bytes = 4096, ring-buffer-bytes = 1 MiB, poll-batch-bytes = 64 KiB,"
                    + " poll-interval = 50ms, target-mode = pids, target-pids = [12, 34],"
                    + " target-cgroup-paths = [\"/sys/fs/cgroup/unified/a\"]"));

    assertThat(s.payloadBytes()).isEqualTo(4096);
    assertThat(s.ringBufferBytes()).isEqualTo(1 << 20);
    assertThat(s.pollBatchBytes()).isEqualTo(64 << 10);
    assertThat(s.pollInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.targetMode()).isEqualTo(TargetMode.PIDS);
    assertThat(s.targetPids()).containsExactly(12, 34);
    assertThat(s.targetCgroupPaths()).containsExactly("/sys/fs/cgroup/unified/a");
  }

  @Test
  void targetModesUseTheirConfigSpelling() {
    for (TargetMode mode : TargetMode.values()) {
      assertThat(TargetMode.fromConfigName(mode.configName())).isEqualTo(mode);
    }
    assertThat(TargetMode.fromConfigName("CGROUPS")).isEqualTo(TargetMode.CGROUPS);
    assertThat(TargetMode.ALL_BUT_SELF.configName()).isEqualTo("all-but-self");
  }

  @Test
  void rejectsValuesTheKernelProgramCannotTake() {
    assertBad("payload-bytes = 4097", "payload-bytes must be within 0..4096");
    assertBad("payload-bytes = -1", "payload-bytes");
    assertBad("ring-buffer-bytes = 3 MiB", "power of two");
    assertBad("ring-buffer-bytes = 2 KiB", "power of two");
    assertBad("ring-buffer-bytes = 2 GiB", "below 2 GiB");
    assertBad("poll-batch-bytes = 4 KiB", "one full record (4208 bytes)");
    assertBad("poll-interval = 0s", "poll-interval must be positive");
    assertBad("target-mode = some", "unknown target mode 'some'");
  }

  @Test
  void withersKeepTheChecks() {
    CaptureSettings s = CaptureSettings.create(ConfigFactory.load());

    assertThat(s.withPayloadBytes(0).payloadBytes()).isZero();
    assertThat(s.withTargetMode(TargetMode.CGROUPS).targetMode()).isEqualTo(TargetMode.CGROUPS);
    assertThatThrownBy(() -> s.withPayloadBytes(5000)).isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(s.withPayloadBytes(1).ringBufferBytes())).containsExactly(s.ringBufferBytes());
  }

  private static void assertBad(String override, String message) {
    assertThatThrownBy(() -> CaptureSettings.create(config(override)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  private static Config config(String overrides) {
    return ConfigFactory.parseString("rootline.bpf { " + overrides + " }")
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void netnsModeDefaultsToTheNodesOwnNamespace() {
    CaptureSettings own =
        CaptureSettings.create(
            ConfigFactory.parseString("rootline.bpf.target-mode = netns")
                .withFallback(ConfigFactory.load()));
    assertThat(own.targetMode()).isEqualTo(TargetMode.NETNS);
    assertThat(own.targetNetnsPaths()).isEmpty();
    assertThat(own.effectiveTargetNetnsPaths()).containsExactly("/proc/self/ns/net");

    CaptureSettings listed =
        CaptureSettings.create(
            ConfigFactory.parseString(
                    "rootline.bpf { target-mode = netns, target-netns-paths = [\"/run/netns/h2\"] }")
                .withFallback(ConfigFactory.load()));
    assertThat(listed.effectiveTargetNetnsPaths()).containsExactly("/run/netns/h2");
    assertThat(listed.withTargetMode(TargetMode.ALL_BUT_SELF).effectiveTargetNetnsPaths())
        .containsExactly("/run/netns/h2");
    assertThat(own.withTargetMode(TargetMode.PIDS).effectiveTargetNetnsPaths()).isEmpty();
  }
}
