package dev.rootline.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraConfFilesTest {

  @TempDir Path dir;

  private CassandraLauncherSettings settings() {
    return CassandraLauncherSettings.create(ConfigFactory.load()).withDataDir(dir.resolve("c'data")).withPorts(19042, 17000);
  }

  @Test
  void yamlHasThePortsAddressesAndAbsoluteDirectories() {
    String yaml = CassandraConfFiles.cassandraYaml(settings());
    String data = dir.resolve("c'data").toAbsolutePath().toString().replace("'", "''");
    assertThat(yaml)
        .contains("cluster_name: 'rootline'")
        .contains("listen_address: 127.0.0.1\n")
        .contains("rpc_address: 127.0.0.1\n")
        .contains("storage_port: 17000\n")
        .contains("native_transport_port: 19042\n")
        .contains("- seeds: \"127.0.0.1:17000\"")
        .contains("  - '" + data + "/data'")
        .contains("commitlog_directory: '" + data + "/commitlog'")
        .contains("hints_directory: '" + data + "/hints'")
        .contains("saved_caches_directory: '" + data + "/saved_caches'")
        .contains("cdc_raw_directory: '" + data + "/cdc_raw'")
        .contains("commitlog_sync: periodic")
        .contains("authenticator: AllowAllAuthenticator")
        .doesNotContain("{{");
  }

  @Test
  void logbackLogsInfoToAFileAndNothingToTheConsole() {
    String xml = CassandraConfFiles.logbackXml(settings());
    assertThat(xml)
        .contains("<file>" + dir.resolve("c'data/logs").toAbsolutePath() + "/system.log</file>")
        .contains("<root level=\"INFO\">")
        .doesNotContain("ConsoleAppender")
        .doesNotContain("{{");
  }

  @Test
  void writeCreatesConfAndLogDirectories() throws Exception {
    CassandraLauncherSettings s = settings();
    CassandraConfFiles.write(s);
    assertThat(Files.readString(CassandraConfFiles.yamlPath(s))).contains("native_transport_port: 19042");
    assertThat(CassandraConfFiles.logbackPath(s)).exists();
    assertThat(s.logDir()).isDirectory();
  }

  @Test
  void renderRefusesAPlaceholderWithoutValue() {
    assertThat(CassandraConfFiles.render("a {{x}} b $1 \\", Map.of("x", "$1\\"))).isEqualTo("a $1\\ b $1 \\");
    assertThatThrownBy(() -> CassandraConfFiles.render("{{missing}}", Map.of()))
        .hasMessageContaining("{{missing}}");
  }
}
