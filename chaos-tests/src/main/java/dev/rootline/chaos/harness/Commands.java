package dev.rootline.chaos.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short external commands (ip, nft, kill, curl) run to completion with a timeout. */
public final class Commands {
  private Commands() {}

  /** Runs {@code command}; its stdout, or an exception with the exit code and stderr. */
  public static String run(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    // stderr is read on a thread of its own so a chatty command cannot block on a full pipe
    StringBuilder err = new StringBuilder();
    Thread errReader =
        new Thread(
            () -> {
              try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException ignored) {
                // the process went away
              }
            });
    errReader.setDaemon(true);
    errReader.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("'" + String.join(" ", command) + "' did not finish in " + timeout);
    }
    errReader.join(1000);
    if (p.exitValue() != 0) {
      throw new IOException(
          "'" + String.join(" ", command) + "' failed (" + p.exitValue() + "): " + err + out);
    }
    return out;
  }

  /** Sends a signal to one process by pid ({@code kill -SIG pid}); false if it is gone. */
  public static boolean signal(long pid, String signal) throws InterruptedException {
    try {
      run(List.of("kill", "-" + signal, Long.toString(pid)), Duration.ofSeconds(10));
      return true;
    } catch (IOException gone) {
      return false;
    }
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Waits up to {@code timeout} for pid to exit; true if it did. */
  public static boolean awaitExit(long pid, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!alive(pid)) {
        return true;
      }
      Thread.sleep(100);
    }
    return !alive(pid);
  }
}
