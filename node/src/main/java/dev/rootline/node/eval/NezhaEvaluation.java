package dev.rootline.node.eval;

import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.actors.inference.replay.FaultCatalog;
import dev.rootline.actors.inference.replay.NezhaCsvReader;
import dev.rootline.actors.inference.replay.TraceReplay;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Evaluates the root-cause ranking on a folder laid out like the Nezha data ({@code faults.json}
 * and {@code trace/HH_MM_trace.csv.gz}). Per fault: a fresh judge (inline training: deterministic)
 * replays the fault's three minutes of spans in event time; at the end the judge ranks the
 * incident ({@link TraceJudge#rankSince}: the evidence of every trace judged anomalous or failing
 * since the injection, against the anomalies before it as background); a service's score is the
 * sum of the probabilities of the candidates naming it (a host candidate counts for the service
 * when that host ran only one service); the services sorted by score give the true service's
 * rank.
 */
public final class NezhaEvaluation {

  /** Event-time quiet period after which a replayed trace is complete. */
  static final Duration QUIET = Duration.ofSeconds(5);
  static final int MAX_SPANS = 5000;

  static final boolean DEBUG = Boolean.getBoolean("rootline.eval.debug");

  private final ScorerSettings settings;
  private final Consumer<String> progress;

  public NezhaEvaluation(ScorerSettings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  public List<FaultResult> evaluate(Path dir) {
    Path faultsJson = dir.resolve("faults.json");
    if (!Files.isRegularFile(faultsJson)) {
      throw new IllegalArgumentException(dir + " has no faults.json");
    }
    List<FaultCatalog.Fault> faults = FaultCatalog.read(faultsJson);
    List<FaultResult> results = new ArrayList<>();
    int i = 0;
    for (FaultCatalog.Fault fault : faults) {
      i++;
      List<Path> files = filesOf(dir, fault);
      if (files.isEmpty()) {
        progress.accept(String.format("%s fault %d/%d (%s %s): no trace files, skipped",
            dir.getFileName(), i, faults.size(), fault.injectTime(), fault.type()));
        continue;
      }
      long t0 = System.nanoTime();
      FaultResult r = evaluate(dir.getFileName().toString(), fault, files);
      results.add(r);
      progress.accept(String.format("%s fault %d/%d %s %-15s %-32s rank %s top %s (%d anomalous of %d traces after, %.1f s)",
          dir.getFileName(), i, faults.size(), fault.injectTime(), fault.type(), r.trueService(),
          r.rank() == 0 ? "-" : String.valueOf(r.rank()),
          r.topServices().subList(0, Math.min(3, r.topServices().size())),
          r.anomaliesAfter(), r.tracesAfter(), (System.nanoTime() - t0) / 1e9));
    }
    return results;
  }

  /** The fault's minute-files that exist in {@code dir}. */
  static List<Path> filesOf(Path dir, FaultCatalog.Fault fault) {
    List<Path> files = new ArrayList<>();
    for (String name : fault.traceFiles()) {
      Path f = dir.resolve("trace").resolve(name);
      if (Files.isRegularFile(f)) {
        files.add(f);
      }
    }
    return files;
  }

  /** The spans of the files, client spans marked, in replay order (start, trace, span). */
  static List<Span> spansOf(List<Path> files) {
    List<Span> spans = new ArrayList<>();
    for (Path f : files) {
      spans.addAll(NezhaCsvReader.read(f));
    }
    spans = new ArrayList<>(NezhaCsvReader.markClientSpans(spans));
    spans.sort(Comparator.comparingLong(Span::startEpochNanos).thenComparing(Span::traceId)
        .thenComparing(Span::spanId));
    return spans;
  }

  /** The services seen on each host (a host candidate counts for its only service). */
  static Map<String, Set<String>> servicesOnHost(List<Span> spans) {
    Map<String, Set<String>> servicesOnHost = new HashMap<>();
    for (Span s : spans) {
      servicesOnHost.computeIfAbsent(s.host(), h -> new HashSet<>()).add(s.service());
    }
    return servicesOnHost;
  }

  /** Replays spans (in {@link #spansOf} order) through the judge in event time, as the eval does. */
  static void replay(TraceJudge judge, List<Span> spans, Consumer<TraceReplay.Replayed> out) {
    TraceReplay replay = new TraceReplay(judge, QUIET, MAX_SPANS, out);
    spans.forEach(replay::offer);
    replay.flush();
  }

  FaultResult evaluate(String system, FaultCatalog.Fault fault, List<Path> files) {
    List<Span> spans = spansOf(files);
    Map<String, Set<String>> servicesOnHost = servicesOnHost(spans);
    long start = fault.startNanos();
    long[] counts = new long[7];
    Map<String, Integer> debug = new java.util.TreeMap<>();
    TraceJudge judge = TraceJudge.inline(settings);
    replay(judge, spans, r -> {
      Decision d = r.judgement().decision();
      boolean flagged = RetainedTrace.ANOMALY.equals(d.verdict())
          || RetainedTrace.FAILURE.equals(d.verdict());
      long traceStart = r.trace().spans().get(0).startEpochNanos();
      if (traceStart < start) {
        if (DEBUG && flagged) {
          var ev = r.judgement().evidence();
          for (var f : ev.findings()) {
            String kind = f.slow() ? "slow" : !f.structure().isEmpty() ? "structure" : f.fast() ? "fast" : "fail";
            debug.merge(kind, 1, Integer::sum);
          }
          debug.merge("traces", 1, Integer::sum);
        }
        counts[0]++;
        counts[1] += d.retain() ? 1 : 0;
        counts[2] += flagged ? 1 : 0;
        return;
      }
      counts[5]++;
      boolean throughFault = r.trace().spans().stream().anyMatch(s -> fault.pod().equals(s.host()));
      if (throughFault) {
        counts[3]++;
        counts[4] += flagged ? 1 : 0;
      }
      if (flagged) {
        counts[6]++;
      }
    });
    List<RootCause> incident = judge.rankSince(start, 200);
    if (DEBUG) {
      progress.accept("  false-alarm findings before injection: " + debug);
      var ev = judge.evidenceSince(start);
      Set<String> top = new HashSet<>();
      incident.stream().limit(6).forEach(c -> top.add(c.level() + "|" + c.subject()));
      for (var e : ev) {
        if (top.contains(e.candidate().key()) || (fault.service().equals(e.candidate().service())
            && e.candidate().level() == RootCause.Level.SERVICE)) {
          StringBuilder v = new StringBuilder();
          for (double x : e.vector()) {
            v.append(String.format(" %.2f", x));
          }
          progress.accept(String.format("  %-50s logit %.2f |%s", e.candidate().key(),
              judge.ranker().logit(e.vector()), v));
        }
      }
    }
    List<String> ranked = rankServices(incident, servicesOnHost);
    int rank = ranked.indexOf(fault.service()) + 1;
    return new FaultResult(system, fault.injectTime(), fault.type(), fault.service(), rank,
        List.copyOf(ranked.subList(0, Math.min(5, ranked.size()))), counts[0], counts[1],
        counts[2], counts[3], counts[4], counts[6], counts[5]);
  }

  /** Services by the summed probability of the candidates naming them, most likely first. */
  static List<String> rankServices(List<RootCause> ranking, Map<String, Set<String>> servicesOnHost) {
    Map<String, Double> score = new HashMap<>();
    for (RootCause c : ranking) {
      String service = c.service();
      if (service == null && c.host() != null) {
        Set<String> on = servicesOnHost.getOrDefault(c.host(), Set.of());
        service = on.size() == 1 ? on.iterator().next() : null;
      }
      if (service != null) {
        score.merge(service, c.probability(), Double::sum);
      }
    }
    List<String> out = new ArrayList<>(score.keySet());
    out.sort(Comparator.<String>comparingDouble(s -> -score.get(s)).thenComparing(s -> s));
    return out;
  }
}
