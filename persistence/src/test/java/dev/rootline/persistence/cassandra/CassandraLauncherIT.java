package dev.rootline.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootline.persistence.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A real Cassandra 5.0 from the cassandra-server classpath: start, attach, stop. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraLauncherIT {

  private static Path dataDir;
  private static CassandraLauncherSettings settings;
  private static CassandraLauncher launcher;
  private static final List<String> progress = new ArrayList<>();
  private static long pid;

  @BeforeAll
  static void start() {
    dataDir = Path.of("target", "launcher-it-" + ProcessHandle.current().pid()).toAbsolutePath();
    // Half the default heap: the shared TestCassandra of other ITs may be running too.
    settings = TestCassandra.settings(dataDir).withHeap("512M");
    launcher = new CassandraLauncher(settings, line -> {
      synchronized (progress) {
        progress.add(line);
      }
      System.out.println(line);
    });
    pid = launcher.start();
  }

  @AfterAll
  static void stop() {
    if (launcher != null) {
      launcher.stop();
    }
    TestCassandra.deleteRecursively(dataDir);
  }

  @Test
  @Order(1)
  void startedCassandraAnswersCqlAndRecordsItsPid() throws Exception {
    assertThat(launcher.startedHere()).isTrue();
    assertThat(Files.readString(settings.pidFile()).trim()).isEqualTo(Long.toString(pid));
    assertThat(ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse(CassandraCommand.MAIN_CLASS))
        .contains(CassandraCommand.MAIN_CLASS);
    Optional<String> version = CqlProbe.releaseVersion(settings.contactPoint(), "datacenter1", Duration.ofSeconds(10));
    assertThat(version).hasValueSatisfying(v -> assertThat(v).startsWith("5.0."));
    assertThat(Files.readString(settings.logDir().resolve("system.log"))).contains("Startup complete");
    assertThat(progress).anySatisfy(line -> assertThat(line).contains("answers CQL on"));
  }

  @Test
  @Order(2)
  void attachOrStartReusesTheRunningCassandraAndLeavesItRunningOnClose() {
    try (CassandraLauncher second = new CassandraLauncher(settings)) {
      assertThat(second.attachOrStart()).isEqualTo(pid);
      assertThat(second.startedHere()).isFalse();
    }
    assertThat(ProcessHandle.of(pid)).hasValueSatisfying(h -> assertThat(h.isAlive()).isTrue());
    CassandraLauncher.Status status = new CassandraLauncher(settings).status();
    assertThat(status.alive()).isTrue();
    assertThat(status.answersCql()).isTrue();
  }

  @Test
  @Order(3)
  void aSecondStartOnTheSameDataDirIsRefused() {
    assertThatThrownBy(() -> new CassandraLauncher(settings).start())
        .isInstanceOf(CassandraLaunchException.class)
        .hasMessageContaining("already running")
        .hasMessageContaining(Long.toString(pid));
  }

  @Test
  @Order(4)
  void stopTerminatesThePidAndRemovesThePidFile() {
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    assertThat(launcher.stop()).isTrue();
    assertThat(handle.isAlive()).isFalse();
    assertThat(settings.pidFile()).doesNotExist();
    assertThat(CqlProbe.isListening(settings.contactPoint(), Duration.ofMillis(500))).isFalse();
    assertThat(new CassandraLauncher(settings).stop()).isFalse();
  }

  @Test
  @Order(5)
  void aCassandraThatCannotStartFailsWithItsOutput() {
    Path badDir = dataDir.resolveSibling(dataDir.getFileName() + "-bad");
    try {
      CassandraLauncherSettings bad = TestCassandra.settings(badDir).withHeap("1Q");
      assertThatThrownBy(() -> new CassandraLauncher(bad).start())
          .isInstanceOf(CassandraLaunchException.class)
          .hasMessageContaining("exited before answering CQL")
          .hasMessageContaining("Invalid initial heap size");
      assertThat(bad.pidFile()).doesNotExist();
    } finally {
      TestCassandra.deleteRecursively(badDir);
    }
  }
}
