package dev.rootline.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.rootline.persistence.cassandra.CassandraLaunchException;
import dev.rootline.persistence.cassandra.CassandraLauncher;
import dev.rootline.persistence.cassandra.CassandraLauncherSettings;
import java.util.Map;

/**
 * Starts, stops or reports the local Cassandra from scripts:
 *
 * <pre>
 * CassandraMain start|stop|status [--data DIR] [--port N] [--storage-port N] [--lib DIR] [--heap 1G]
 * </pre>
 *
 * {@code start} reuses a running one (pid file + CQL answer) and returns once CQL answers, leaving
 * Cassandra running. Exit codes: 0 done / running, 1 failed, 2 usage, 3 status: not running.
 */
public final class CassandraMain {

  private static final Map<String, String> FLAGS =
      Map.of(
          "--data", "data-dir",
          "--port", "native-port",
          "--storage-port", "storage-port",
          "--lib", "server-lib",
          "--heap", "heap");

  private CassandraMain() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length == 0) {
      return usage("missing command");
    }
    Config overrides = ConfigFactory.empty();
    for (int i = 1; i < args.length; i += 2) {
      String key = FLAGS.get(args[i]);
      if (key == null || i + 1 >= args.length) {
        return usage("unknown or incomplete option: " + args[i]);
      }
      overrides = overrides.withValue("rootline.persistence.cassandra." + key, ConfigValueFactory.fromAnyRef(args[i + 1]));
    }
    CassandraLauncherSettings settings;
    try {
      settings = CassandraLauncherSettings.create(overrides.withFallback(ConfigFactory.load()));
    } catch (RuntimeException e) {
      return usage(e.getMessage());
    }
    CassandraLauncher launcher = new CassandraLauncher(settings, System.out::println);
    try {
      switch (args[0]) {
        case "start" -> {
          long pid = launcher.attachOrStart();
          System.out.println("Cassandra running: pid " + pid + ", CQL on " + settings.rpcAddress() + ":" + settings.nativePort());
          return 0;
        }
        case "stop" -> {
          System.out.println(launcher.stop() ? "Cassandra stopped" : "no Cassandra running from " + settings.dataDir());
          return 0;
        }
        case "status" -> {
          CassandraLauncher.Status status = launcher.status();
          String pid = status.pid().isPresent() ? Long.toString(status.pid().getAsLong()) : "none";
          System.out.println(
              "pid file: " + pid + ", process alive: " + status.alive() + ", CQL on "
                  + settings.rpcAddress() + ":" + settings.nativePort() + ": "
                  + status.releaseVersion().map(v -> "Cassandra " + v).orElse("no answer"));
          return status.alive() && status.answersCql() ? 0 : 3;
        }
        default -> {
          return usage("unknown command: " + args[0]);
        }
      }
    } catch (CassandraLaunchException e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }

  private static int usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: CassandraMain start|stop|status [--data DIR] [--port N] [--storage-port N] [--lib DIR] [--heap 1G]");
    return 2;
  }
}
