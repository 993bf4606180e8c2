package dev.rootline.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // FaultScope.close() heals; see Fault
class ProcessFaultsTest {

  private Process sleeper;

  @BeforeEach
  void startSleeper() throws Exception {
    sleeper = new ProcessBuilder("sleep", "60").start();
  }

  @AfterEach
  void stopSleeper() throws Exception {
    // A stopped process still dies from SIGKILL, so this cleans up whatever a test left.
    sleeper.destroyForcibly();
    assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void pauseStopsResumeContinuesKillRemoves() throws Exception {
    long pid = sleeper.pid();
    awaitState(pid, 'S');

    assertThat(ProcessFaults.pause(pid)).isTrue();
    awaitState(pid, 'T');
    assertThat(ProcessFaults.pause(pid)).as("pausing twice").isTrue();
    awaitState(pid, 'T');

    assertThat(ProcessFaults.resume(pid)).isTrue();
    awaitState(pid, 'S');

    assertThat(ProcessFaults.kill9(pid)).isTrue();
    assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sleeper.exitValue()).as("128 + SIGKILL").isEqualTo(137);
    assertThat(ProcessFaults.state(pid)).isEmpty();
    assertThat(ProcessFaults.isRunning(pid)).isFalse();

    assertThat(ProcessFaults.kill9(pid)).as("killing a gone process").isFalse();
    assertThat(ProcessFaults.pause(pid)).as("pausing a gone process").isFalse();
    assertThat(ProcessFaults.resume(pid)).as("resuming a gone process").isFalse();
  }

  @Test
  void pauseFaultResumesOnCloseAndHealsTwice() throws Exception {
    long pid = sleeper.pid();
    awaitState(pid, 'S');
    ProcessFaults.Pause pause = ProcessFaults.pauseFault(pid);
    try (pause) {
      pause.inject();
      awaitState(pid, 'T');
    }
    awaitState(pid, 'S');
    pause.heal();
    awaitState(pid, 'S');
  }

  @Test
  void aStoppedProcessDiesFromKill9() throws Exception {
    long pid = sleeper.pid();
    ProcessFaults.pause(pid);
    awaitState(pid, 'T');
    assertThat(ProcessFaults.kill9(pid)).isTrue();
    assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void faultScopeHealsWhatItInjectedAndRefusesGonePids() throws Exception {
    long pid = sleeper.pid();
    try (FaultScope scope = new FaultScope(line -> {})) {
      scope.inject(ProcessFaults.pauseFault(pid));
      awaitState(pid, 'T');
      assertThat(scope.active()).hasSize(1);
    }
    awaitState(pid, 'S');

    ProcessFaults.kill9(pid);
    sleeper.waitFor(5, TimeUnit.SECONDS);
    try (FaultScope scope = new FaultScope(line -> {})) {
      assertThatThrownBy(() -> scope.inject(ProcessFaults.pauseFault(pid)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no such process");
      assertThat(scope.active()).isEmpty();
    }
  }

  @Test
  void refusesPidsThatAreNotOneProcess() {
    assertThatThrownBy(() -> ProcessFaults.kill9(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcessFaults.pause(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcessFaults.kill9(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcessFaults.kill9(ProcessHandle.current().pid()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("this JVM");
  }

  private static void awaitState(long pid, char expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Optional<Character> state = ProcessFaults.state(pid);
    while (!state.equals(Optional.of(expected))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pid " + pid + " state " + state + ", expected " + expected);
      }
      Thread.sleep(10);
      state = ProcessFaults.state(pid);
    }
  }
}
