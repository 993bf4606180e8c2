package dev.rootline.actors.inference.replay;

/** A recorded-trace file that cannot be read: says which file and line, and why. */
public final class MalformedRecordException extends RuntimeException {

  private final String file;
  private final long line;

  public MalformedRecordException(String file, long line, String reason) {
    super(file + (line > 0 ? ":" + line : "") + ": " + reason);
    this.file = file;
    this.line = line;
  }

  public String file() {
    return file;
  }

  /** 1-based line number, 0 when the problem is not tied to one line. */
  public long line() {
    return line;
  }
}
