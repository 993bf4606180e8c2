package dev.rootline.node.imports;

import dev.rootline.actors.inference.replay.MalformedRecordException;
import dev.rootline.actors.inference.replay.NezhaCsvReader;
import dev.rootline.actors.inference.replay.OtlpJsonReader;
import dev.rootline.persistence.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every span of the input files, read and validated before anything is started, sorted by start
 * time (the replay's event-time clock needs that order). All of them are held in memory: more
 * than {@code maxSpans} is refused with a message saying so.
 */
final class RecordedSpans {

  /** The input holds more spans than the configured maximum. */
  static final class TooManySpansException extends RuntimeException {
    TooManySpansException(String message) {
      super(message);
    }
  }

  private RecordedSpans() {}

  /**
   * @throws MalformedRecordException for the first malformed record (file and line named)
   * @throws TooManySpansException beyond {@code maxSpans}
   * @throws java.io.UncheckedIOException for a file that cannot be read
   */
  static List<Span> read(ImportArguments.Format format, List<Path> files, int maxSpans,
      Consumer<String> progress) {
    List<Span> spans = new ArrayList<>();
    for (Path file : files) {
      int before = spans.size();
      if (format == ImportArguments.Format.NEZHA_CSV) {
        spans.addAll(NezhaCsvReader.read(file));
      } else {
        OtlpJsonReader.read(file, span -> {
          spans.add(span);
          if (spans.size() > maxSpans) {
            throw tooMany(maxSpans, file);
          }
        });
      }
      if (spans.size() > maxSpans) {
        throw tooMany(maxSpans, file);
      }
      progress.accept(String.format("%s: %,d spans", file, spans.size() - before));
    }
    // Nezha records no span kinds: the client spans are found from all spans of each trace.
    List<Span> all = format == ImportArguments.Format.NEZHA_CSV
        ? new ArrayList<>(NezhaCsvReader.markClientSpans(spans))
        : spans;
    all.sort(Comparator.comparingLong(Span::startEpochNanos).thenComparing(Span::traceId)
        .thenComparing(Span::spanId));
    return all;
  }

  private static TooManySpansException tooMany(int maxSpans, Path file) {
    return new TooManySpansException(String.format(
        "more than %,d spans (at %s): every span is held in memory before the replay;"
            + " import fewer files at once, or raise rootline.node.import.max-spans"
            + " (and the heap: ROOTLINE_IMPORT_HEAP, ~400 bytes per span)", maxSpans, file));
  }
}
