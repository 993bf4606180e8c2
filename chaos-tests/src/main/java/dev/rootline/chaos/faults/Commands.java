package dev.rootline.chaos.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the short system commands faults are made of ({@code nft}, {@code ip}, {@code kill}) with a
 * timeout, and turns a failure into a {@link CommandFailedException} that quotes stderr.
 */
public final class Commands {

  /** Long enough for {@code nft} on a loaded 2-core machine, short enough to notice a hang. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private Commands() {}

  /** What a finished command printed. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /** Runs {@code command}, feeding it {@code stdin} (may be null); fails on a non-zero exit. */
  public static String run(Duration timeout, String stdin, List<String> command)
      throws CommandFailedException, InterruptedException {
    Result result = exec(timeout, stdin, command);
    if (result.exitCode() != 0) {
      throw new CommandFailedException(
          command, result.exitCode(), result.stdout(), result.stderr(), "exited " + result.exitCode());
    }
    return result.stdout();
  }

  public static String run(String... command) throws CommandFailedException, InterruptedException {
    return run(DEFAULT_TIMEOUT, null, List.of(command));
  }

  /**
   * Runs {@code command} and returns its exit code and output whatever the code; fails only when it
   * cannot be started or does not finish in time (then it is killed).
   */
  public static Result exec(Duration timeout, String stdin, List<String> command)
      throws CommandFailedException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new CommandFailedException(command, -1, "", String.valueOf(e.getMessage()), "could not start");
    }
    // Drain both pipes concurrently so a chatty command cannot block on a full pipe.
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // The command exited without reading its input; its exit code and stderr will say why.
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new CommandFailedException(
            command, -1, out.getNow(""), err.getNow(""), "did not finish within " + timeout);
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                text.complete(bytes.toString(StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.complete("(output unreadable: " + e.getMessage() + ")");
              } catch (RuntimeException e) {
                text.completeExceptionally(new UncheckedIOException(new IOException(e)));
              }
            },
            "command-output");
    reader.setDaemon(true);
    reader.start();
    return text;
  }
}
