package dev.rootline.chaos.faults;

import java.util.List;

/** A command a fault ran exited non-zero or did not finish in time; carries what it printed. */
public final class CommandFailedException extends Exception {

  private final List<String> command;
  private final int exitCode;
  private final String stderr;

  CommandFailedException(List<String> command, int exitCode, String stdout, String stderr, String why) {
    super(
        "`" + String.join(" ", command) + "` " + why
            + (stderr.isBlank() ? "" : "; stderr: " + stderr.strip())
            + (stdout.isBlank() ? "" : "; stdout: " + stdout.strip()));
    this.command = List.copyOf(command);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }

  public List<String> command() {
    return command;
  }

  /** The exit code, or -1 when the command timed out or could not be started. */
  public int exitCode() {
    return exitCode;
  }

  public String stderr() {
    return stderr;
  }
}
