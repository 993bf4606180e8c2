package dev.rootline.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraCommandTest {

  private final CassandraLauncherSettings settings =
      CassandraLauncherSettings.create(ConfigFactory.defaultReference())
          .withDataDir(Path.of("/var/c"))
          .withServerLib(Path.of("/opt/lib"));

  @Test
  void javaCommandHasHeapModuleFlagsConfigAndMainClassLast() {
    List<String> cmd = CassandraCommand.javaCommand(settings);
    assertThat(cmd).startsWith(settings.javaExecutable().toString());
    assertThat(cmd)
        .contains("-Xms1G", "-Xmx1G", "-XX:G1HeapRegionSize=1m", "-Dcassandra-foreground=yes")
        .contains("-Dcassandra.config=file:///var/c/conf/cassandra.yaml")
        .contains("-Dcassandra.storagedir=/var/c", "-Dcassandra.logdir=/var/c/logs")
        .contains("-Dlogback.configurationFile=/var/c/conf/logback.xml")
        .containsSubsequence("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED")
        .containsSubsequence("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED")
        .containsSubsequence("-cp", "/opt/lib/*", CassandraCommand.MAIN_CLASS);
    assertThat(cmd.get(cmd.size() - 1)).isEqualTo(CassandraCommand.MAIN_CLASS);
  }

  @Test
  void fullCommandLowersTheMemlockLimitAndDropsIpcLockBeforeExec() {
    List<String> cmd = CassandraCommand.command(settings);
    assertThat(cmd.subList(0, 3)).containsExactly("/bin/sh", "-c", "ulimit -l 64 2>/dev/null; exec \"$@\"");
    if (cmd.contains("/usr/bin/setpriv")) {
      assertThat(cmd).containsSubsequence("/usr/bin/setpriv", "--bounding-set=-ipc_lock", "--inh-caps=-ipc_lock", "--");
    }
    assertThat(cmd).endsWith(CassandraCommand.javaCommand(settings).toArray(String[]::new));
  }
}
