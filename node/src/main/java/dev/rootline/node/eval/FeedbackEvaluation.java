package dev.rootline.node.eval;

import dev.rootline.actors.inference.CandidateEvidence;
import dev.rootline.actors.inference.FeedbackSettings;
import dev.rootline.actors.inference.RankerTraining;
import dev.rootline.actors.inference.RankingLabel;
import dev.rootline.actors.inference.RootCausePrior;
import dev.rootline.actors.inference.RootCauseRanker;
import dev.rootline.actors.inference.TraceJudge;
import dev.rootline.actors.inference.replay.FaultCatalog;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code ./rootline eval --feedback}: does feedback on root causes make the next ranking better,
 * and does capture move to where it pointed? Per system the faults are split in half by a hash of
 * their injection time. For the "feedback" half, each fault's rankings (the incident's, and those
 * of its last occurrences: anomalous traces through the injected pod) become {@link RankingLabel}s
 * from the ground truth, as an operator's feedback would: the true service's candidate confirmed
 * when it is listed, else the true service named as a cause that was not listed. The ranker is
 * retrained on the prior's simulated rows plus these labels ({@link RankerTraining#train}). The
 * other, held-out half is replayed twice with capture policies: as configured, and after the
 * tuner's rule for every confirmed root cause (its service keeps at least {@link
 * FeedbackSettings#confirmedNormalShare()} of its normal traces). Its incidents are ranked by the
 * prior and by the retrained ranker (the evidence does not depend on the ranker), and its retained
 * traces and spans are counted against the services feedback pointed at.
 */
public final class FeedbackEvaluation {

  /** Other label weights tried after the configured one, to show how much the result hangs on it. */
  static final List<Integer> SENSITIVITY = List.of(1, 20);

  private final ScorerSettings settings;
  private final FeedbackSettings feedback;
  private final Consumer<String> progress;

  public FeedbackEvaluation(ScorerSettings settings, FeedbackSettings feedback,
      Consumer<String> progress) {
    this.settings = settings;
    this.feedback = feedback;
    this.progress = progress;
  }

  private record Item(String system, FaultCatalog.Fault fault, List<Path> files) {
    String issueId() {
      return system + " " + fault.injectTime();
    }
  }

  /** A held-out fault's evidence and capture volumes, before it is ranked. */
  private record Replayed(Item item, List<CandidateEvidence> evidence,
      Map<String, Set<String>> servicesOnHost, FeedbackReport.Volume before,
      FeedbackReport.Volume after) {}

  public FeedbackReport evaluate(List<Path> dirs) {
    List<Item> given = new ArrayList<>();
    List<Item> heldOut = new ArrayList<>();
    for (Path dir : dirs) {
      split(dir, given, heldOut);
    }
    if (given.isEmpty() || heldOut.isEmpty()) {
      throw new IllegalArgumentException("--feedback needs at least two faults with trace files in "
          + dirs + " (one to give feedback on, one held out)");
    }
    RootCauseRanker prior = RootCausePrior.ranker(settings.inference());

    // 1. Feedback on one half, from the ground truth.
    List<RankingLabel> labels = new ArrayList<>();
    List<FeedbackReport.Given> givenRows = new ArrayList<>();
    Set<String> pointedAt = new TreeSet<>();
    for (Item item : given) {
      long t0 = System.nanoTime();
      List<RankingLabel> mine = labelsOf(item);
      labels.addAll(mine);
      pointedAt.add(item.fault().service());
      RankingLabel incident = mine.get(0);
      givenRows.add(new FeedbackReport.Given(item.system(), item.fault().injectTime(),
          item.fault().type(), item.fault().service(), incident.rankable() ? "confirmed "
              + incident.confirmedKey() : "named (not listed)", mine.size(),
          (int) mine.stream().filter(RankingLabel::rankable).count()));
      progress.accept(String.format("feedback %s %s %-15s %-32s %d rankings labelled (%.1f s)",
          item.system(), item.fault().injectTime(), item.fault().type(), item.fault().service(),
          mine.size(), (System.nanoTime() - t0) / 1e9));
    }

    // 2. Retrain on the prior's rows plus the labels.
    long t0 = System.nanoTime();
    RootCausePrior.TrainingSet priorRows = RootCausePrior.trainingSet(settings.inference());
    RootCauseRanker retrained =
        RankerTraining.train(priorRows, labels, feedback.labelWeight(), prior.version() + 1);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    int labelRows = RankerTraining.rows(labels).rows().length;
    progress.accept(String.format("retrained on %d prior rows + %d label rows x %d in %.1f s",
        priorRows.rows().length, labelRows, feedback.labelWeight(), trainSeconds));

    // 3. The held-out half: replayed with the policies as configured and as tuned.
    PolicySet configured = configured();
    PolicySet tuned = tuned(configured, pointedAt, feedback.confirmedNormalShare());
    List<Replayed> replayed = new ArrayList<>();
    for (Item item : heldOut) {
      long t1 = System.nanoTime();
      List<Span> spans = NezhaEvaluation.spansOf(item.files());
      long start = item.fault().startNanos();
      TraceJudge before = TraceJudge.inline(settings);
      before.usePolicies(configured);
      FeedbackReport.Volume vBefore = count(before, spans, pointedAt);
      List<CandidateEvidence> evidence = before.evidenceSince(start);
      TraceJudge after = TraceJudge.inline(settings);
      after.usePolicies(tuned);
      FeedbackReport.Volume vAfter = count(after, spans, pointedAt);
      replayed.add(new Replayed(item, evidence, NezhaEvaluation.servicesOnHost(spans), vBefore,
          vAfter));
      progress.accept(String.format("held out %s %s %-15s %-32s retained %d -> %d traces (%.1f s)",
          item.system(), item.fault().injectTime(), item.fault().type(), item.fault().service(),
          vBefore.retained(), vAfter.retained(), (System.nanoTime() - t1) / 1e9));
    }

    // 4. Rank the held-out incidents before and after; the candidate-level check promotion uses.
    List<FeedbackReport.HeldOut> rows = new ArrayList<>();
    List<RankingLabel> heldLabels = new ArrayList<>();
    for (Replayed r : replayed) {
      rows.add(new FeedbackReport.HeldOut(r.item().system(), r.item().fault().injectTime(),
          r.item().fault().type(), r.item().fault().service(), serviceRank(prior, r),
          serviceRank(retrained, r), r.before(), r.after()));
      heldLabels.add(label(r.item(), "incident", r.evidence().stream()
          .map(e -> new RootCause(e.candidate().level(), e.candidate().subject(),
              e.candidate().service(), e.candidate().host(), 0, List.of(), e.vector()))
          .toList()));
    }
    RankerTraining.Metrics candidatesBefore = RankerTraining.evaluate(prior, heldLabels);
    RankerTraining.Metrics candidatesAfter = RankerTraining.evaluate(retrained, heldLabels);
    RankerTraining.Metrics servicesBefore = RankerTraining.evaluateByService(prior, heldLabels);
    RankerTraining.Metrics servicesAfter = RankerTraining.evaluateByService(retrained, heldLabels);
    Map<String, double[]> sensitivity = new LinkedHashMap<>();
    for (int w : SENSITIVITY) {
      if (w != feedback.labelWeight()) {
        sensitivity.put("label weight " + w, serviceAc(replayed,
            RankerTraining.train(priorRows, labels, w, prior.version() + 1)));
      }
    }
    // Which labels move the ranker: those naming a cause that was not listed give negatives only.
    List<RankingLabel> listed = labels.stream().filter(RankingLabel::rankable).toList();
    sensitivity.put("only the " + listed.size() + " labels whose cause was listed", serviceAc(replayed,
        RankerTraining.train(priorRows, listed, feedback.labelWeight(), prior.version() + 1)));
    return new FeedbackReport(givenRows, rows, labels.size(), labelRows, priorRows.rows().length,
        feedback.labelWeight(), List.copyOf(pointedAt), settings.inference().baselineSample(),
        feedback.confirmedNormalShare(), candidatesBefore, candidatesAfter,
        servicesBefore, servicesAfter, sensitivity, trainSeconds,
        prior.weights(), retrained.weights());
  }

  /**
   * The faults of {@code dir} with trace files, in half: ordered by a hash of system and
   * injection time, the first half (rounded up) gets feedback, the rest is held out.
   */
  private void split(Path dir, List<Item> given, List<Item> heldOut) {
    Path faultsJson = dir.resolve("faults.json");
    if (!Files.isRegularFile(faultsJson)) {
      throw new IllegalArgumentException(dir + " has no faults.json");
    }
    String system = dir.getFileName().toString();
    List<Item> items = new ArrayList<>();
    for (FaultCatalog.Fault f : FaultCatalog.read(faultsJson)) {
      List<Path> files = NezhaEvaluation.filesOf(dir, f);
      if (!files.isEmpty()) {
        items.add(new Item(system, f, files));
      }
    }
    items.sort(Comparator.comparingDouble((Item i) -> RankerTraining.unit(i.issueId()))
        .thenComparing(Item::issueId));
    int half = (items.size() + 1) / 2;
    given.addAll(items.subList(0, half));
    heldOut.addAll(items.subList(half, items.size()));
  }

  /**
   * The fault replayed once with the prior; its incident ranking (as shown: at most max-ranked
   * candidates) first, then the rankings of its last occurrences (anomalous or failing traces
   * after the injection through the injected pod), each labelled from the ground truth.
   */
  private List<RankingLabel> labelsOf(Item item) {
    List<Span> spans = NezhaEvaluation.spansOf(item.files());
    long start = item.fault().startNanos();
    String pod = item.fault().pod();
    Deque<Decision> occurrences = new ArrayDeque<>();
    Deque<String> traceIds = new ArrayDeque<>();
    TraceJudge judge = TraceJudge.inline(settings);
    NezhaEvaluation.replay(judge, spans, r -> {
      Decision d = r.judgement().decision();
      boolean flagged = RetainedTrace.ANOMALY.equals(d.verdict())
          || RetainedTrace.FAILURE.equals(d.verdict());
      if (!flagged || d.rootCauses().isEmpty()
          || r.trace().spans().get(0).startEpochNanos() < start
          || r.trace().spans().stream().noneMatch(s -> pod.equals(s.host()))) {
        return;
      }
      occurrences.addLast(d);
      traceIds.addLast(r.trace().traceId());
      if (occurrences.size() > feedback.occurrencesPerFeedback()) {
        occurrences.removeFirst();
        traceIds.removeFirst();
      }
    });
    List<RankingLabel> out = new ArrayList<>();
    out.add(label(item, "incident", judge.rankSince(start, settings.inference().maxRanked())));
    var ids = traceIds.iterator();
    for (Decision d : occurrences) {
      out.add(label(item, ids.next(), d.rootCauses()));
    }
    return out;
  }

  /**
   * What an operator who knows the true service says of a ranking: its service candidate is the
   * root cause; failing that, the best-ranked candidate in that service or on the injected pod;
   * failing that, the service is named as a cause that was not listed.
   */
  private static RankingLabel label(Item item, String traceId, List<RootCause> ranking) {
    List<String> keys = new ArrayList<>();
    List<double[]> vectors = new ArrayList<>();
    String service = item.fault().service();
    String serviceKey = RootCause.Level.SERVICE.name() + "|" + service;
    String confirmed = null;
    for (RootCause c : ranking) {
      if (c.features() == null) {
        continue;
      }
      keys.add(c.key());
      vectors.add(c.features());
      if (confirmed == null && (service.equals(c.service()) || item.fault().pod().equals(c.host()))) {
        confirmed = c.key();
      }
    }
    if (keys.contains(serviceKey) || confirmed == null) {
      confirmed = serviceKey;
    }
    return new RankingLabel(item.issueId(), traceId, keys, vectors, confirmed, List.of(),
        item.issueId() + "/" + traceId, item.fault().startNanos() / 1_000_000);
  }

  /** The policies as configured: the settings' threshold and normal share, nothing scoped. */
  PolicySet configured() {
    return PolicySet.of(new CapturePolicy(true, 256, settings.inference().baselineSample(),
        settings.threshold(), NezhaEvaluation.QUIET.toMillis(), List.of(), List.of()));
  }

  /**
   * The policy tuner's rule for confirmed root causes: each of these services keeps at least
   * {@code share} of its normal traces (a share already higher stays).
   */
  static PolicySet tuned(PolicySet policies, Collection<String> services, double share) {
    PolicySet out = policies;
    for (String service : services) {
      PolicyScope scope = PolicyScope.service(service);
      double current = out.effective(null, service, null).normalShare();
      if (current < share) {
        CapturePolicy raised = out.own(scope).patchedWith(
            new CapturePolicy(null, null, share, null, null, null, null));
        out = out.with(new ScopedPolicy(scope, out.revision(scope) + 1, raised, 0));
      }
    }
    return out;
  }

  private static FeedbackReport.Volume count(TraceJudge judge, List<Span> spans,
      Set<String> services) {
    long[] n = new long[6];
    NezhaEvaluation.replay(judge, spans, r -> {
      List<Span> t = r.trace().spans();
      long in = t.stream().filter(s -> services.contains(s.service())).count();
      n[0]++;
      n[1] += in > 0 ? 1 : 0;
      if (r.judgement().decision().retain()) {
        n[2]++;
        n[3] += in > 0 ? 1 : 0;
        n[4] += t.size();
        n[5] += in;
      }
    });
    return new FeedbackReport.Volume(n[0], n[1], n[2], n[3], n[4], n[5]);
  }

  private static int serviceRank(RootCauseRanker ranker, Replayed r) {
    List<String> ranked =
        NezhaEvaluation.rankServices(ranker.rank(r.evidence(), 200), r.servicesOnHost());
    return ranked.indexOf(r.item().fault().service()) + 1;
  }

  /** {AC@1, AC@3} of the held-out faults by this ranker. */
  private static double[] serviceAc(List<Replayed> replayed, RootCauseRanker ranker) {
    long at1 = replayed.stream().filter(r -> within(serviceRank(ranker, r), 1)).count();
    long at3 = replayed.stream().filter(r -> within(serviceRank(ranker, r), 3)).count();
    return new double[] {at1 / (double) replayed.size(), at3 / (double) replayed.size()};
  }

  private static boolean within(int rank, int k) {
    return rank >= 1 && rank <= k;
  }
}
