package dev.rootline.node.imports;

import java.nio.file.Path;

/** A recorded-trace file that cannot be read: names the file and the line where it went wrong. */
public final class MalformedInputException extends RuntimeException {

  private final Path file;
  private final long line;

  public MalformedInputException(Path file, long line, String problem) {
    super(file + ":" + line + ": " + problem);
    this.file = file;
    this.line = line;
  }

  public Path file() {
    return file;
  }

  /** 1-based line number of the offending input. */
  public long line() {
    return line;
  }
}
