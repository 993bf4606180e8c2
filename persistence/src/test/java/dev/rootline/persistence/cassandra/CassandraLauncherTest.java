package dev.rootline.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.rootline.persistence.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher does without a Cassandra: errors and bookkeeping. */
class CassandraLauncherTest {

  @TempDir Path dir;

  private CassandraLauncherSettings settings() {
    return CassandraLauncherSettings.create(ConfigFactory.defaultReference())
        .withDataDir(dir.resolve("data"))
        .withPorts(TestCassandra.freePort(), TestCassandra.freePort() + 1)
        .withServerLib(dir.resolve("no-such-lib"));
  }

  @Test
  void aMissingServerClasspathSaysToRunMavenPackage() {
    assertThatThrownBy(() -> new CassandraLauncher(settings()).start())
        .isInstanceOf(CassandraLaunchException.class)
        .hasMessageContaining("no Cassandra server classpath in " + dir.resolve("no-such-lib"))
        .hasMessageContaining("run mvn package first");
  }

  @Test
  void nothingRunningMeansNothingToStopAndAnEmptyStatus() {
    CassandraLauncher launcher = new CassandraLauncher(settings());
    assertThat(launcher.stop()).isFalse();
    CassandraLauncher.Status status = launcher.status();
    assertThat(status.pid()).isEmpty();
    assertThat(status.alive()).isFalse();
    assertThat(status.answersCql()).isFalse();
    assertThat(launcher.startedHere()).isFalse();
    launcher.close();
  }

  @Test
  void aStalePidFileOfAnotherProcessIsNeverSignalled() throws Exception {
    CassandraLauncherSettings s = settings();
    Files.createDirectories(s.dataDir());
    // Our own pid: alive, but not a CassandraDaemon.
    Files.writeString(s.pidFile(), ProcessHandle.current().pid() + "\n");
    CassandraLauncher launcher = new CassandraLauncher(s);
    assertThat(launcher.status().alive()).isFalse();
    assertThat(launcher.stop()).isFalse();
    assertThat(s.pidFile()).doesNotExist();
  }

  @Test
  void logTailKeepsTheLastLines() throws Exception {
    Path log = dir.resolve("system.log");
    Files.write(log, java.util.stream.IntStream.range(0, 100).mapToObj(i -> "line " + i).toList());
    List<String> tail = CassandraLauncher.tail(log, 3);
    assertThat(tail).containsExactly("line 97", "line 98", "line 99");
    assertThat(CassandraLauncher.tail(dir.resolve("none"), 3)).isEmpty();
  }
}
