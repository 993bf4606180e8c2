package dev.rootline.node.imports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The command line of {@code ./rootline import}: {@code --format nezha-csv|otlp-json [--config
 * FILE] PATH...}, and the input files the paths stand for.
 */
record ImportArguments(Format format, List<Path> paths, Path configFile, boolean help) {

  static final String USAGE = String.join("\n",
      "usage: ./rootline import --format nezha-csv|otlp-json [--config FILE] PATH...",
      "  PATH: a file, or a directory searched for the format's files:",
      "    nezha-csv  *.csv.gz, *.csv in the directory and its trace/ subfolder",
      "    otlp-json  *.json, *.jsonl, *.json.gz, *.jsonl.gz in the directory",
      "  --config FILE  HOCON layered over the node's configuration (rootline.node.import.*,",
      "                 rootline.actors.trace.scorer.*, rootline.persistence.*)",
      "Replays the recorded spans in event time through the node's judge and persists retained",
      "traces and issues into Cassandra (a local one is started when none is configured).");

  /** A command line that cannot be run: the message says why, the usage follows it. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  enum Format {
    NEZHA_CSV("nezha-csv", List.of(".csv.gz", ".csv")),
    OTLP_JSON("otlp-json", List.of(".json", ".jsonl", ".json.gz", ".jsonl.gz"));

    final String flag;
    final List<String> suffixes;

    Format(String flag, List<String> suffixes) {
      this.flag = flag;
      this.suffixes = suffixes;
    }

    boolean matches(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      return suffixes.stream().anyMatch(name::endsWith);
    }

    static Format of(String flag) {
      for (Format f : values()) {
        if (f.flag.equals(flag)) {
          return f;
        }
      }
      throw new UsageException("unknown format \"" + flag + "\" (nezha-csv or otlp-json)");
    }
  }

  static ImportArguments parse(String[] args) {
    Format format = null;
    Path config = null;
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          return new ImportArguments(null, List.of(), null, true);
        }
        case "--format" -> format = Format.of(value(args, ++i, "--format"));
        case "--config" -> config = Path.of(value(args, ++i, "--config"));
        default -> {
          if (a.startsWith("--format=")) {
            format = Format.of(a.substring("--format=".length()));
          } else if (a.startsWith("-")) {
            throw new UsageException("unknown option " + a);
          } else {
            paths.add(Path.of(a));
          }
        }
      }
    }
    if (format == null) {
      throw new UsageException("--format is required");
    }
    if (paths.isEmpty()) {
      throw new UsageException("no PATH given");
    }
    if (config != null && !Files.isRegularFile(config)) {
      throw new UsageException("no such config file: " + config);
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new UsageException("no such file or directory: " + p);
      }
    }
    return new ImportArguments(format, List.copyOf(paths), config, false);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[i];
  }

  /**
   * The input files, in the order given (a directory's files sorted by name). Nezha folders hold
   * other CSV files too (logs, metrics) in other subfolders: only the folder and its trace/ are
   * searched.
   */
  List<Path> files() {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isRegularFile(p)) {
        files.add(p);
        continue;
      }
      List<Path> found = new ArrayList<>(matching(p));
      if (format == Format.NEZHA_CSV && Files.isDirectory(p.resolve("trace"))) {
        found.addAll(matching(p.resolve("trace")));
      }
      if (found.isEmpty()) {
        throw new UsageException("no " + String.join(", ", format.suffixes) + " files in " + p);
      }
      files.addAll(found);
    }
    return files;
  }

  private List<Path> matching(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isRegularFile).filter(format::matches).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
