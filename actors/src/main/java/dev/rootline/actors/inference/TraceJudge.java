package dev.rootline.actors.inference;

import dev.rootline.actors.trace.AnomalyModel;
import dev.rootline.actors.trace.CompletedTrace;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.EndpointBaseline;
import dev.rootline.actors.trace.FailureRules;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.actors.trace.TraceFeatures;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole decision about a completed trace, as a plain object (no actor, no clock): failure
 * rules, span-level deviations against the operation baselines, an isolation forest per endpoint
 * over the trace's features (trained on recent normal traces, versioned), retention (every failure
 * and anomaly plus a deterministic sample of normal traces) and, for failures and anomalies, the
 * ranked root causes, the issue fingerprint, title and severity. Every decision says why.
 *
 * <p>Training runs inline ({@link #inline}) or is handed out as {@link TrainingJob}s for the caller
 * to run elsewhere and report back ({@link #modelTrained}); inline training makes a replay
 * deterministic. Not thread-safe: one owner (an actor, a replay).
 *
 * <p>With capture policies ({@link #usePolicies}) the effective policy of each trace's root span
 * (endpoint over service over host over global) sets, for that trace, the anomaly threshold and
 * the muted issues; the share of normal traces kept is the largest share in force for any span of
 * the trace (a policy that captures more in a service keeps more of the traces passing through
 * it, not only of those it serves first). Without policies the configured settings decide.
 * A threshold above the configured one also raises the bar for evidence-only anomalies (see
 * {@link #requiredStrength}); a muted issue's anomalies are handled as normal traces (failures
 * are always retained).
 */
public final class TraceJudge {

  /** The isolation forest's input: the trace's own features, then its deviation from baselines. */
  public static final List<String> FEATURES;

  static {
    List<String> names = new ArrayList<>(TraceFeatures.NAMES);
    names.add("max self-time excess");
    names.add("changed call structures");
    names.add("cut-short spans");
    FEATURES = List.copyOf(names);
  }

  /** A model to train off the judge's thread; report the result with {@link #modelTrained}. */
  public record TrainingJob(String endpoint, double[][] rows, long version, long seed, int trees,
      int subsample) {
    public AnomalyModel run() {
      return AnomalyModel.train(rows, FEATURES, trees, subsample, seed, version);
    }
  }

  /** A decision together with the evidence it was made on. */
  public record Judgement(Decision decision, TraceEvidence evidence,
      List<CandidateEvidence> candidates) {}

  private final ScorerSettings settings;
  private final InferenceSettings inference;
  private final boolean inline;
  private RootCauseRanker ranker;
  private final Baselines baselines;
  private final AnomalyWindow window;
  private final Map<String, EndpointBaseline> endpoints;
  private final List<TrainingJob> pending = new ArrayList<>();
  private PolicySet policies;
  /** Effective policy per "host service operation", for the current {@link #policies}. */
  private final Map<String, CapturePolicy> effective =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CapturePolicy> eldest) {
          return size() > 4096;
        }
      };

  private TraceJudge(ScorerSettings settings, RootCauseRanker ranker, boolean inline) {
    this.settings = settings;
    this.inference = settings.inference();
    this.inline = inline;
    this.ranker = ranker;
    this.baselines = new Baselines(inference);
    this.window = new AnomalyWindow(inference.window(), inference.windowAge(),
        inference.baselineHalfLife(), inference.maxCandidates());
    this.endpoints =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, EndpointBaseline> eldest) {
            return size() > settings.maxEndpoints();
          }
        };
  }

  /** A judge that trains its models itself, at once (deterministic; for replays and tests). */
  public static TraceJudge inline(ScorerSettings settings) {
    return new TraceJudge(settings, RootCausePrior.ranker(settings.inference()), true);
  }

  /**
   * A judge whose training jobs the caller takes with {@link #takeTrainingJobs()}. It ranks with
   * the prior if this JVM trained it already, else with fixed weights until the caller trains the
   * prior ({@link RootCausePrior#ranker}) off its thread and hands it over ({@link #useRanker}).
   */
  public static TraceJudge deferred(ScorerSettings settings) {
    RootCauseRanker prior = RootCausePrior.ifTrained(settings.inference());
    return new TraceJudge(settings, prior == null ? RootCauseRanker.fallback() : prior, false);
  }

  /** Ranks with {@code ranker} from now on (the prior once trained, later a retrained model). */
  public void useRanker(RootCauseRanker ranker) {
    this.ranker = ranker;
  }

  /**
   * Decides with these capture policies from now on (every later trace; call it on the judge's
   * own thread, like everything else). Null goes back to the configured settings.
   */
  public void usePolicies(PolicySet policies) {
    this.policies = policies;
    effective.clear();
  }

  /** The policies in use, or null when the configured settings decide. */
  public PolicySet policies() {
    return policies;
  }

  /** A judge with a given ranker (the prior's own simulation uses a fallback ranker). */
  static TraceJudge withRanker(ScorerSettings settings, RootCauseRanker ranker) {
    return new TraceJudge(settings, ranker, true);
  }

  public Decision decide(CompletedTrace trace) {
    return judge(trace).decision();
  }

  public Judgement judge(CompletedTrace trace) {
    SpanTree tree = new SpanTree(trace.spans());
    TraceEvidence evidence = TraceEvidence.of(trace.traceId(), tree, baselines, inference);
    List<String> failures = FailureRules.reasons(trace.spans());
    boolean failing = !failures.isEmpty();
    double[] features = features(trace, evidence);
    EndpointBaseline endpoint =
        endpoints.computeIfAbsent(trace.endpoint(), e -> new EndpointBaseline(settings.window()));
    AnomalyModel model = endpoint.model();
    Span root = trace.root();
    CapturePolicy policy = policies == null ? null : policyOf(root, SpanTree.operation(root));
    double threshold = policy == null ? settings.threshold() : policy.anomalyThreshold();
    double score = model == null ? 0.0 : model.score(features);
    boolean outlier = model != null && score >= threshold;
    // Any deviation from the baselines keeps the trace out of them; only one strong enough for
    // the trace's threshold makes it an anomaly (every one, at the configured threshold).
    boolean deviatesAtAll = evidence.findings().stream().anyMatch(f -> !f.failing());
    double required = requiredStrength(threshold);
    boolean deviates = evidence.findings().stream()
        .anyMatch(f -> !f.failing() && strength(f) >= required);
    List<String> reasons = new ArrayList<>(failures);
    if (!failing) {
      evidence.findings().stream()
          .filter(f -> f.words() != null)
          .sorted((a, b) -> Double.compare(b.selfExcess(), a.selfExcess()))
          .limit(3)
          .forEach(f -> reasons.add(f.words()));
    }
    if (outlier) {
      reasons.add(String.format(Locale.ROOT, "anomaly score %.2f ≥ %.2f for %s (duration %d ms)",
          score, threshold, trace.endpoint(),
          Math.round(trace.features().durationMillis())));
    }
    long version = model == null ? 0 : model.version();
    List<String> normalReasons = new ArrayList<>(1);
    if (deviatesAtAll && !deviates && !failing && !outlier) {
      normalReasons.add(String.format(Locale.ROOT,
          "deviations below the bar of anomaly threshold %.2f for %s: handled as a normal trace",
          threshold, trace.endpoint()));
    }
    if (failing || outlier || deviates) {
      window.add(evidence);
      List<CandidateEvidence> candidates = new ArrayList<>();
      for (Candidate c : evidence.candidates().values()) {
        if (!rankable(c)) {
          continue;
        }
        candidates.add(CandidateEvidence.of(c, evidence, window.recent(), window.background(),
            baselines));
      }
      List<RootCause> ranking = ranker.rank(candidates, inference.maxRanked());
      Decision d = issueDecision(trace, tree, evidence, failing, score, reasons, version, ranking);
      if (failing || policy == null || !policy.mutedFingerprints().contains(d.fingerprint())) {
        return new Judgement(d, evidence, candidates);
      }
      // A muted issue (noise): its evidence stays in the window (other rankings are as without
      // the mute), but the trace is kept only as a normal one would be.
      normalReasons.add("anomaly of muted issue " + d.fingerprint() + " (" + d.issueTitle()
          + "): handled as a normal trace");
    }
    if (!outlier && !deviatesAtAll) {
      // Only traces without any deviation teach the baselines and the endpoint's forest.
      baselines.learn(tree, evidence.candidates().keySet());
      endpoint.add(features);
      if (endpoint.wantsTraining(settings.minTrain(), settings.retrainEvery())) {
        startTraining(trace.endpoint(), endpoint);
      }
    }
    double normalShare = policy == null ? inference.baselineSample() : normalShare(tree, policy);
    boolean sampled = sampled(trace.traceId(), normalShare);
    if (sampled) {
      normalReasons.add("sampled as a normal baseline (" + CandidateEvidence.pct(normalShare) + ")");
    }
    Decision d = new Decision(sampled, score, normalReasons, version,
        sampled ? RetainedTrace.BASELINE : Decision.NORMAL, null, null, 0, List.of());
    return new Judgement(d, evidence, List.of());
  }

  /**
   * How strong an evidence-only deviation must be to make a trace an anomaly at {@code threshold}.
   * At or below the configured threshold every deviation counts (strength 0 is enough); above it,
   * the bar rises linearly with how far the threshold moved towards 1, up to {@link
   * CandidateEvidence#MAX_EXCESS} at threshold 1. The scale is that of a slow span's self-time
   * excess beyond the slow bar (natural log): raising the threshold from 0.65 to 0.825 asks for
   * self time e^2 (about 7x) above slow-factor x p99. Lowering it below the configured one only
   * lowers the forest's bar: evidence has no weaker deviations to admit.
   */
  double requiredStrength(double threshold) {
    double base = settings.threshold();
    if (threshold <= base || base >= 1) {
      return 0;
    }
    return CandidateEvidence.MAX_EXCESS * Math.min(1, (threshold - base) / (1 - base));
  }

  /**
   * A non-failing finding's strength on that scale: a slow span's self-time excess beyond the
   * slow bar; a changed call structure or a cut-short span (no magnitude) counts as half the
   * scale, so that only a threshold raised more than halfway to 1 silences them.
   */
  double strength(TraceEvidence.Finding f) {
    if (f.slow()) {
      return Math.max(0, f.selfExcess() - Math.log(inference.slowFactor()));
    }
    return CandidateEvidence.MAX_EXCESS / 2;
  }

  /** The largest normal-trace share in force for any span of the trace (the root's at least). */
  private double normalShare(SpanTree tree, CapturePolicy rootPolicy) {
    double share = rootPolicy.normalShare();
    for (int i = 0; i < tree.size() && share < 1; i++) {
      share = Math.max(share, policyOf(tree.span(i), tree.operation(i)).normalShare());
    }
    return share;
  }

  /**
   * The effective policy of a span (endpoint over service over host over global), remembered per
   * host and operation until the policies change. The endpoint is the operation as spans and root
   * causes name it ("service METHOD /path/{id}", {@link SpanTree#operation}), so a policy set on a
   * ranked endpoint applies to every request of it.
   */
  private CapturePolicy policyOf(Span s, String operation) {
    String host = blankToNull(s.host());
    String key = host + "\n" + s.service() + "\n" + operation;
    CapturePolicy p = effective.get(key);
    if (p == null) {
      p = lookUp(host, blankToNull(s.service()), operation);
      effective.put(key, p);
    }
    return p;
  }

  /** A name no scope can hold is skipped (that level is not consulted). */
  private CapturePolicy lookUp(String host, String service, String operation) {
    String endpointName = null;
    if (service != null) {
      try {
        endpointName = new PolicyScope(PolicyScope.Kind.ENDPOINT, operation).name();
      } catch (IllegalArgumentException e) {
        endpointName = null;
      }
    }
    try {
      return policies.effective(host, service, endpointName);
    } catch (IllegalArgumentException e) {
      try {
        return policies.effective(null, service, null);
      } catch (IllegalArgumentException again) {
        return policies.global();
      }
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private Decision issueDecision(CompletedTrace trace, SpanTree tree, TraceEvidence evidence,
      boolean failing, double score, List<String> reasons, long version, List<RootCause> ranking) {
    String leading = ranking.isEmpty() ? "-" : ranking.get(0).level() + "|" + ranking.get(0).subject();
    String key;
    String title;
    double severity;
    if (failing) {
      Span origin = deepestFailing(tree);
      String how = origin.status() >= 500 ? String.valueOf(origin.status()) : origin.error();
      String where = SpanTree.operation(origin);
      key = IssueFingerprint.failureKey(where, how);
      title = (origin.status() >= 500 ? how + " from " : how + " at ") + where;
      severity = trace.root().isFailure() ? 1.0 : 0.8;
    } else {
      TraceEvidence.Finding o = evidence.originFinding();
      String where = o == null ? trace.endpoint() : o.operation();
      String what = o == null ? "anomalous" : o.slow() ? "slow" : !o.structure().isEmpty()
          ? "changed calls in" : o.fast() ? "cut short" : "anomalous";
      key = IssueFingerprint.anomalyKey(where, leading);
      title = what + " " + where;
      severity = Math.min(1.0, Math.max(score, 0.3 + 0.7 * (1 - Math.exp(-evidence.maxExcess()))));
    }
    if (reasons.isEmpty()) {
      reasons.add("deviates from its baselines");
    }
    return new Decision(true, score, reasons, version,
        failing ? RetainedTrace.FAILURE : RetainedTrace.ANOMALY, IssueFingerprint.of(key), title,
        severity, ranking);
  }

  /**
   * The ranking of an incident: the evidence of every anomalous or failing trace in the window
   * that started at or after {@code sinceNanos}, over all their candidates, at most {@code max}
   * candidates (probabilities summing to 1). Empty when no such trace is in the window.
   */
  public List<RootCause> rankSince(long sinceNanos, int max) {
    return ranker.rank(evidenceSince(sinceNanos), max);
  }

  /** The evidence behind {@link #rankSince}, one entry per candidate, unranked. */
  public List<CandidateEvidence> evidenceSince(long sinceNanos) {
    EvidenceSums incident = new EvidenceSums(Integer.MAX_VALUE);
    EvidenceSums before = new EvidenceSums(Integer.MAX_VALUE);
    Map<String, Candidate> candidates = new LinkedHashMap<>();
    for (TraceEvidence t : window.traces()) {
      if (t.startNanos() >= sinceNanos) {
        incident.apply(t, +1);
        t.candidates().forEach(candidates::putIfAbsent);
      } else {
        before.apply(t, +1);
      }
    }
    // The background of an incident: what was anomalous before it (in the window) and earlier.
    EvidenceSums background = before.traces() >= window.background().traces() ? before
        : window.background();
    List<CandidateEvidence> evidence = new ArrayList<>();
    for (Candidate c : candidates.values()) {
      if (!rankable(c)) {
        continue;
      }
      evidence.add(CandidateEvidence.of(c, null, incident, background, baselines));
    }
    return evidence;
  }

  /** Hosts compete only once traffic was seen on more than one (see Baselines#hostsComparable). */
  private boolean rankable(Candidate c) {
    return c.level() != RootCause.Level.HOST || baselines.hostsComparable();
  }

  private static Span deepestFailing(SpanTree tree) {
    int best = -1;
    for (int i = 0; i < tree.size(); i++) {
      if (tree.span(i).isFailure() && (best < 0 || tree.depth(i) > tree.depth(best))) {
        best = i;
      }
    }
    return tree.span(Math.max(0, best));
  }

  private static double[] features(CompletedTrace trace, TraceEvidence evidence) {
    double[] own = trace.features().vector();
    double[] out = new double[own.length + 3];
    System.arraycopy(own, 0, out, 0, own.length);
    int structural = 0;
    int fast = 0;
    for (TraceEvidence.Finding f : evidence.findings()) {
      structural += f.structure().isEmpty() ? 0 : 1;
      fast += f.fast() ? 1 : 0;
    }
    out[own.length] = evidence.maxExcess();
    out[own.length + 1] = structural;
    out[own.length + 2] = fast;
    return out;
  }

  /** Deterministic per trace id, so every node (and every replay) samples the same traces. */
  boolean sampled(String traceId) {
    return sampled(traceId, inference.baselineSample());
  }

  /** Whether a normal trace is kept at this share; a higher share keeps a superset. */
  static boolean sampled(String traceId, double share) {
    if (share <= 0) {
      return false;
    }
    long h = traceId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    double u = (h >>> 11) / (double) (1L << 53);
    return u < share;
  }

  private void startTraining(String endpoint, EndpointBaseline baseline) {
    double[][] rows = baseline.startTraining();
    long version = baseline.trainingVersion();
    long seed = settings.seed() * 31 + endpoint.hashCode() * 1_000_003L + version;
    TrainingJob job = new TrainingJob(endpoint, rows, version, seed, settings.trees(),
        settings.subsample());
    if (inline) {
      try {
        modelTrained(endpoint, job.run());
      } catch (RuntimeException e) {
        trainingFailed(endpoint);
      }
    } else {
      pending.add(job);
    }
  }

  /** The training jobs started since the last call (always empty for an inline judge). */
  public List<TrainingJob> takeTrainingJobs() {
    List<TrainingJob> jobs = List.copyOf(pending);
    pending.clear();
    return jobs;
  }

  /** A model trained by a job; ignored when its endpoint was forgotten meanwhile. */
  public void modelTrained(String endpoint, AnomalyModel model) {
    EndpointBaseline baseline = endpoints.get(endpoint);
    if (baseline != null) {
      baseline.trained(model);
    }
  }

  public void trainingFailed(String endpoint) {
    EndpointBaseline baseline = endpoints.get(endpoint);
    if (baseline != null) {
      baseline.trainingFailed();
    }
  }

  /** The endpoint's model state, or null when the endpoint is not tracked. */
  public EndpointBaseline endpoint(String endpoint) {
    return endpoints.get(endpoint);
  }

  public Baselines baselines() {
    return baselines;
  }

  public RootCauseRanker ranker() {
    return ranker;
  }
}
