package dev.rootline.node.imports;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.actors.inference.replay.MalformedRecordException;
import dev.rootline.actors.inference.replay.TraceReplay;
import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.actors.issue.IssueSettings;
import dev.rootline.actors.issue.IssueUpdates;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.TraceRecord;
import dev.rootline.actors.trace.TraceSettings;
import dev.rootline.cluster.ClusterFormation;
import dev.rootline.cluster.ClusterSettings;
import dev.rootline.cluster.PekkoClusterConfig;
import dev.rootline.node.NodeSettings;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.IssueOccurrence;
import dev.rootline.persistence.JournalSchema;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.cassandra.CassandraLauncher;
import dev.rootline.persistence.cassandra.CassandraLauncherSettings;
import dev.rootline.persistence.readside.IssueProjection;
import dev.rootline.persistence.readside.TaggedProjection;
import dev.rootline.persistence.readside.TraceProjection;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code ./rootline import --format nezha-csv|otlp-json [--config FILE] PATH...}: recorded spans
 * through the node's pipeline in event time, so a recorded incident can be analysed like a live
 * one. In order: read and validate every input file (a malformed one stops the import before
 * anything is started, exit 2); start a local Cassandra if none is configured, an actor system
 * in a one-node cluster of its own (free port, never a running node's cluster), the journal
 * schema, the TraceRecord and Issue entities and both read-side projections; replay the spans
 * through {@link TraceReplay} with the judge of the configured scorer settings, persisting each
 * retained trace and its issue occurrence ({@code decidedAt} = the trace's end in event time);
 * wait until the read side shows it all; print a summary on stdout; stop what it started.
 * Progress goes to stderr.
 */
public final class ImportCommand {

  /** Exit codes: 0 done, 1 the import failed while running, 2 bad arguments or input. */
  static final int OK = 0;
  static final int FAILED = 1;
  static final int BAD_INPUT = 2;

  private final PrintStream out;
  private final PrintStream err;

  private ImportCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // Before any logger exists: warnings only, on stderr (stdout is the summary).
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "rootline-import-logback.xml");
    }
    ImportCommand command = new ImportCommand(System.out, System.err);
    // Ctrl-C: stop what was started (a Cassandra started here included) instead of orphaning it.
    Runtime.getRuntime().addShutdownHook(new Thread(command::stopOnce, "import-shutdown"));
    System.exit(command.run(args, ConfigFactory.load()));
  }

  /**
   * Runs the import.
   *
   * @param base the configuration under {@code --config} (the node's, {@code ConfigFactory.load()})
   * @return the exit code
   */
  public static int run(String[] args, Config base, PrintStream out, PrintStream err) {
    return new ImportCommand(out, err).run(args, base);
  }

  private int run(String[] args, Config base) {
    ImportArguments arguments;
    List<java.nio.file.Path> files;
    Config config;
    ImportSettings settings;
    TraceSettings traceSettings;
    try {
      arguments = ImportArguments.parse(args);
      if (arguments.help()) {
        out.println(ImportArguments.USAGE);
        return OK;
      }
      files = arguments.files();
    } catch (ImportArguments.UsageException e) {
      err.println("import: " + e.getMessage());
      err.println(ImportArguments.USAGE);
      return BAD_INPUT;
    } catch (UncheckedIOException e) {
      err.println("import: " + e.getMessage());
      return BAD_INPUT;
    }
    try {
      config = config(base, arguments);
      settings = ImportSettings.create(config);
      traceSettings = TraceSettings.create(config);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("import: bad configuration: " + e.getMessage());
      return BAD_INPUT;
    }

    long t0 = System.nanoTime();
    List<Span> spans;
    try {
      spans = RecordedSpans.read(arguments.format(), files, settings.maxSpans(),
          line -> err.println("import: read " + line));
    } catch (MalformedRecordException e) {
      err.println("import: " + e.getMessage());
      return BAD_INPUT;
    } catch (RecordedSpans.TooManySpansException | UncheckedIOException e) {
      err.println("import: " + e.getMessage());
      return BAD_INPUT;
    }
    if (spans.isEmpty()) {
      err.println("import: the input holds no spans; nothing to import");
      return BAD_INPUT;
    }
    err.printf("import: %,d spans from %d files read and validated in %.1f s%n", spans.size(),
        files.size(), seconds(t0));

    try {
      start(config);
      return replay(spans, settings, traceSettings, t0);
    } catch (RetainedTraceWriter.PersistFailedException e) {
      err.println("import: failed: " + e.getMessage());
      return FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("import: interrupted");
      return FAILED;
    } catch (Exception e) {
      err.println("import: failed: " + e);
      return FAILED;
    } finally {
      stopOnce();
    }
  }

  /** The node's configuration, {@code --config} on top, and the import's own cluster on top. */
  static Config config(Config base, ImportArguments arguments) {
    Config overrides = arguments.configFile() == null
        ? ConfigFactory.empty()
        : ConfigFactory.parseFile(arguments.configFile().toFile());
    // A one-node cluster of its own on a free port: seed nodes of a running node must never be
    // joined (its entities would then be shared with the import's), and a distinct system name
    // makes joining it impossible.
    Config ownCluster = ConfigFactory.empty()
        .withValue("rootline.cluster.port", ConfigValueFactory.fromAnyRef(0))
        .withValue("rootline.cluster.hostname", ConfigValueFactory.fromAnyRef("127.0.0.1"))
        .withValue("rootline.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
        .withValue("rootline.cluster.system-name", ConfigValueFactory.fromAnyRef("rootline-import"));
    return ImportSettings.withDefaults(
        ownCluster.withFallback(ConfigFactory.systemProperties()).withFallback(overrides)
            .withFallback(base));
  }

  // What the import started, set as each starts: stopOnce() stops them in reverse order, from the
  // end of run() or from the JVM's shutdown hook (Ctrl-C) when run() did not get there.
  private volatile CassandraLauncher cassandra;
  private volatile ActorSystem<Void> system;
  private volatile TaggedProjection.Running traceProjection;
  private volatile TaggedProjection.Running issueProjection;
  private final AtomicBoolean stopped = new AtomicBoolean();

  /** Stops what was started, once: projections, actor system, a Cassandra started here. */
  void stopOnce() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    if (traceProjection != null) {
      step("trace projection", () -> traceProjection.stop().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
    if (issueProjection != null) {
      step("issue projection", () -> issueProjection.stop().toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
    if (system != null) {
      step("actor system", () -> {
        system.terminate();
        return system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      });
    }
    if (cassandra != null && cassandra.startedHere()) {
      err.println("import: stopping the Cassandra it started");
      cassandra.close();
    }
  }

  private void step(String what, java.util.concurrent.Callable<?> action) {
    try {
      action.call();
    } catch (Exception e) {
      err.println("import: " + what + " did not stop cleanly: " + e);
    }
  }

  /** Cassandra, actor system, schema, entities and projections: what persisting needs. */
  private void start(Config config) throws Exception {
    NodeSettings node = NodeSettings.create(config);
    if (node.startLocalCassandra()) {
      cassandra = new CassandraLauncher(CassandraLauncherSettings.create(config),
          line -> err.println("import: " + line));
      cassandra.attachOrStart();
      config = withContactPoint(config, cassandra.address());
    }
    ClusterSettings cluster = ClusterSettings.create(config);
    system = ActorSystem.create(Behaviors.empty(), cluster.systemName(),
        PekkoClusterConfig.apply(cluster, config));
    ClusterFormation.join(system, cluster, node.joinTimeout()).toCompletableFuture()
        .get(node.joinTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    err.println("import: connecting to Cassandra, creating the schema if needed");
    JournalSchema.create(system).toCompletableFuture().get(90, TimeUnit.SECONDS);
    var issueTopic = system.systemActorOf(IssueUpdates.topic(), "issue-updates", Props.empty());
    IssueEntity.init(system, IssueSettings.create(config), issueTopic);
    TraceRecord.init(system);
    traceProjection = TraceProjection.start(system);
    issueProjection = IssueProjection.start(system);
  }

  private int replay(List<Span> spans, ImportSettings settings,
      TraceSettings traceSettings, long t0) throws Exception {
    RetainedTraceWriter writer = new RetainedTraceWriter(system, settings);
    Map<String, Long> verdicts = new TreeMap<>();
    List<String> retainedIds = new ArrayList<>();
    AtomicLong replayed = new AtomicLong();
    AtomicLong decided = new AtomicLong();
    TraceJudge judge = TraceJudge.inline(traceSettings.scorer());
    // The consumer runs on this thread: a full writer blocks the replay (bounded memory in flight).
    TraceReplay replay = new TraceReplay(judge, settings.quietPeriod(), settings.traceMaxSpans(),
        r -> {
          decided.incrementAndGet();
          Decision d = r.judgement().decision();
          if (!d.retain()) {
            return;
          }
          long endMillis = r.trace().spans().stream().mapToLong(Span::endEpochNanos).max()
              .orElseThrow() / 1_000_000L;
          RetainedTrace trace = r.trace().retained(d, d.anomalyScore(), d.reasons(), endMillis);
          verdicts.merge(trace.verdict(), 1L, Long::sum);
          retainedIds.add(trace.traceId());
          try {
            writer.write(trace, IssueOccurrence.of(trace, d.issueTitle(), d.severity()));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetainedTraceWriter.PersistFailedException("interrupted");
          }
        });
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "import-progress");
      t.setDaemon(true);
      return t;
    });
    long period = settings.progressInterval().toMillis();
    ticker.scheduleAtFixedRate(() -> err.printf(
        "import: replayed %,d/%,d spans, %,d traces decided, %,d retained, %,d persisted, %d issues touched%n",
        replayed.get(), spans.size(), decided.get(), retainedIds.size(), writer.persisted(),
        writer.issues().size()), period, period, TimeUnit.MILLISECONDS);
    long tReplay = System.nanoTime();
    try {
      for (Span span : spans) {
        replay.offer(span);
        replayed.incrementAndGet();
      }
      replay.flush();
      writer.awaitAll(settings.persistTimeout().multipliedBy(settings.persistAttempts())
          .plus(settings.maxBackoff().multipliedBy(settings.persistAttempts())));
    } finally {
      ticker.shutdownNow();
    }
    err.printf("import: replayed and persisted in %.1f s (%,d traces retained, %,d issue"
            + " occurrences, %,d retries); waiting for the read side%n",
        seconds(tReplay), writer.persisted(), writer.occurrences(), writer.retries());
    Map<String, IssueDetail> issues = new ReadSideCatchUp(system)
        .await(retainedIds, writer.issues(), settings.catchUpTimeout(),
            line -> err.println("import: " + line));
    ImportSummary summary = new ImportSummary(spans.size(), replay.traces(), replay.late(),
        replay.dropped(), verdicts, List.copyOf(issues.values()), seconds(t0));
    out.print(summary.text());
    out.flush();
    return OK;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static Config withContactPoint(Config config, InetSocketAddress address) {
    String hostPort = address.getHostString() + ":" + address.getPort();
    return ConfigFactory.empty()
        .withValue("rootline.persistence.contact-point", ConfigValueFactory.fromAnyRef(hostPort))
        .withValue("datastax-java-driver.basic.contact-points",
            ConfigValueFactory.fromIterable(List.of(hostPort)))
        .withFallback(config);
  }
}
