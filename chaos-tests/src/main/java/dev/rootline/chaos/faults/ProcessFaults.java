package dev.rootline.chaos.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Signals to one process, always named by pid, never by name: a chaos run must only hit the
 * process it started, not whatever else on the machine matches a pattern.
 *
 * <p>Java has no API for SIGSTOP/SIGCONT, so those go through {@code kill -STOP/-CONT <pid>};
 * SIGKILL goes through {@link ProcessHandle#destroyForcibly()}.
 */
public final class ProcessFaults {

  /** How long {@link #kill9(long)} waits for the killed process to disappear. */
  public static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private ProcessFaults() {}

  /**
   * Sends SIGKILL to {@code pid} and waits until it is gone (or a zombie its parent has not reaped
   * yet).
   *
   * @return true when the process was alive and is now killed, false when it was already gone
   * @throws IllegalStateException when it is still running after {@link #KILL_WAIT}
   */
  public static boolean kill9(long pid) throws InterruptedException {
    checkPid(pid);
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !isRunning(pid)) {
      return false;
    }
    if (!handle.get().destroyForcibly() && isRunning(pid)) {
      throw new IllegalStateException("could not send SIGKILL to pid " + pid + " (not permitted?)");
    }
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    while (isRunning(pid)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pid " + pid + " still running " + KILL_WAIT + " after SIGKILL");
      }
      Thread.sleep(10);
    }
    return true;
  }

  /**
   * Stops {@code pid} with SIGSTOP, as if the host froze: its sockets stay open but nothing answers.
   *
   * @return false when there is no such process
   */
  public static boolean pause(long pid) throws CommandFailedException, InterruptedException {
    return signal(pid, "STOP");
  }

  /**
   * Continues {@code pid} with SIGCONT.
   *
   * @return false when there is no such process
   */
  public static boolean resume(long pid) throws CommandFailedException, InterruptedException {
    return signal(pid, "CONT");
  }

  /**
   * The one-letter scheduler state of {@code pid} from {@code /proc/<pid>/stat} ({@code R}
   * running, {@code S} sleeping, {@code T} stopped, {@code Z} zombie, ...), empty when there is no
   * such process.
   */
  public static Optional<Character> state(long pid) {
    checkPid(pid);
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // The process exited between the open and the read.
      return Optional.empty();
    }
    // The command name in parentheses may itself contain ") ", so the state follows the last ')'.
    int end = stat.lastIndexOf(')');
    if (end < 0 || end + 2 >= stat.length()) {
      return Optional.empty();
    }
    return Optional.of(stat.charAt(end + 2));
  }

  /** Whether {@code pid} exists and is not a zombie or dead. */
  public static boolean isRunning(long pid) {
    return state(pid).filter(s -> s != 'Z' && s != 'X' && s != 'x').isPresent();
  }

  /** A fault that SIGSTOPs a process on inject and SIGCONTs it on heal. */
  public static Pause pauseFault(long pid) {
    return new Pause(pid);
  }

  /**
   * A paused process as a {@link Fault}. Healing a process that has died meanwhile is not an error:
   * there is nothing left to resume.
   */
  @SuppressWarnings("try") // close() heals; see Fault
  public static final class Pause implements Fault {
    private final long pid;

    public Pause(long pid) {
      this.pid = checkPid(pid);
    }

    public long pid() {
      return pid;
    }

    @Override
    public String name() {
      return "pause pid=" + pid;
    }

    /** @throws IllegalStateException when the process does not exist */
    @Override
    public void inject() throws Exception {
      if (!pause(pid)) {
        throw new IllegalStateException("cannot pause pid " + pid + ": no such process");
      }
    }

    @Override
    public void heal() throws Exception {
      resume(pid);
    }

    @Override
    public String toString() {
      return name();
    }
  }

  private static boolean signal(long pid, String signal) throws CommandFailedException, InterruptedException {
    checkPid(pid);
    if (state(pid).isEmpty()) {
      return false;
    }
    Commands.Result result =
        Commands.exec(Commands.DEFAULT_TIMEOUT, null, List.of("kill", "-" + signal, Long.toString(pid)));
    if (result.exitCode() != 0) {
      if (state(pid).isEmpty()) {
        return false; // exited between the check and the signal
      }
      throw new CommandFailedException(
          List.of("kill", "-" + signal, Long.toString(pid)), result.exitCode(), result.stdout(), result.stderr(),
          "exited " + result.exitCode());
    }
    return true;
  }

  private static long checkPid(long pid) {
    // 0 and negative pids address process groups with kill(1): never what a fault means.
    if (pid <= 1) {
      throw new IllegalArgumentException("pid must be > 1, got " + pid);
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new IllegalArgumentException("refusing to signal this JVM itself (pid " + pid + ")");
    }
    return pid;
  }
}
