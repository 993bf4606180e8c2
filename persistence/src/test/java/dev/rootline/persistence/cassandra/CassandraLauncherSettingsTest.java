package dev.rootline.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CassandraLauncherSettingsTest {

  @Test
  void defaultsFromReferenceConf() {
    CassandraLauncherSettings s = CassandraLauncherSettings.create(ConfigFactory.defaultReference());
    assertThat(s.dataDir()).isEqualTo(Path.of("./.rootline/cassandra"));
    assertThat(s.listenAddress()).isEqualTo("127.0.0.1");
    assertThat(s.rpcAddress()).isEqualTo("127.0.0.1");
    assertThat(s.nativePort()).isEqualTo(9042);
    assertThat(s.storagePort()).isEqualTo(7000);
    assertThat(s.heap()).isEqualTo("1G");
    assertThat(s.startupTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(s.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.javaExecutable()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java"));
    assertThat(s.pidFile()).isEqualTo(Path.of("./.rootline/cassandra/cassandra.pid"));
    assertThat(s.contactPoint().getPort()).isEqualTo(9042);
  }

  @Test
  void serverLibComesFromConfigThenSystemPropertyThenTheRepositoryPath() {
    assertThat(CassandraLauncherSettings.serverLib("/opt/c/lib", "/x")).isEqualTo(Path.of("/opt/c/lib"));
    assertThat(CassandraLauncherSettings.serverLib("", "/x/lib")).isEqualTo(Path.of("/x/lib"));
    assertThat(CassandraLauncherSettings.serverLib("", null))
        .isEqualTo(Path.of("persistence/cassandra-server/target/lib"));
    assertThat(CassandraLauncherSettings.serverLib(" ", ""))
        .isEqualTo(CassandraLauncherSettings.DEFAULT_SERVER_LIB);
  }

  @Test
  void overridesAndValidation() {
    CassandraLauncherSettings s =
        CassandraLauncherSettings.create(
            ConfigFactory.parseString(
                    "rootline.persistence.cassandra { native-port = 19042, storage-port = 17000, heap = 512M,"
                        + " java = /usr/bin/java, data-dir = /tmp/c }")
                .withFallback(ConfigFactory.defaultReference()));
    assertThat(s.nativePort()).isEqualTo(19042);
    assertThat(s.heap()).isEqualTo("512M");
    assertThat(s.javaExecutable()).isEqualTo(Path.of("/usr/bin/java"));
    assertThat(s.logDir()).isEqualTo(Path.of("/tmp/c/logs"));
    assertThatThrownBy(() -> s.withPorts(9042, 9042)).hasMessageContaining("must differ");
    assertThatThrownBy(() -> s.withPorts(0, 7000)).hasMessageContaining("native-port");
    assertThatThrownBy(() -> s.withPorts(9042, 70000)).hasMessageContaining("storage-port");
  }
}
