package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.trace.CompletedTrace;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TraceJudgePolicyTest {

  // Isolation forests out of the way (min-train huge): the evidence decides, as in TraceJudgeTest.
  private static final ScorerSettings SETTINGS =
      new ScorerSettings(0.65, 100_000, 100_000, 100_000, 1000, 10, 16, 1,
          InferenceSettings.fromReference());

  /** The configured settings as a policy set: deciding with it must change nothing. */
  private static final PolicySet AS_CONFIGURED = PolicySet.of(new CapturePolicy(true, 256,
      SETTINGS.inference().baselineSample(), SETTINGS.threshold(), 1000L, List.of(), List.of()));

  private static PolicySet with(PolicyScope scope, CapturePolicy own) {
    return AS_CONFIGURED.with(new ScopedPolicy(scope, 1, own, 0));
  }

  private static CapturePolicy share(double normalShare) {
    return new CapturePolicy(null, null, normalShare, null, null, null, null);
  }

  private static CapturePolicy threshold(double t) {
    return new CapturePolicy(null, null, null, t, null, null, null);
  }

  private static CapturePolicy muting(String fingerprint) {
    return new CapturePolicy(null, null, null, null, null, null, List.of(fingerprint));
  }

  /** 300 normal traces, 60 with cart slowed by {@code slow}, 5 with a failing catalog. */
  private static List<Decision> run(TraceJudge judge, long seed, double slow) {
    SyntheticTraces shop = new SyntheticTraces(seed);
    List<Decision> out = new ArrayList<>();
    Consumer<List<Span>> decide = t -> out.add(judge.decide(CompletedTrace.of(t.get(0).traceId(), t)));
    shop.traces(300).forEach(decide);
    shop.cartSlowFactor = slow;
    shop.traces(60).forEach(decide);
    shop.cartSlowFactor = 1;
    shop.catalogFails = true;
    shop.traces(5).forEach(decide);
    return out;
  }

  private static long count(List<Decision> ds, String verdict) {
    return ds.stream().filter(d -> d.verdict().equals(verdict)).count();
  }

  @Test
  void policiesThatSayWhatTheSettingsSayChangeNothing() {
    List<Decision> plain = run(TraceJudge.inline(SETTINGS), 11, 30);
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    judge.usePolicies(AS_CONFIGURED);
    List<Decision> policed = run(judge, 11, 30);
    TraceJudge reset = TraceJudge.inline(SETTINGS);
    reset.usePolicies(with(PolicyScope.GLOBAL, share(0.9)));
    reset.usePolicies(null);
    List<Decision> back = run(reset, 11, 30);

    assertThat(count(plain, "anomaly")).isGreaterThan(50);
    assertThat(count(plain, "failure")).isEqualTo(5);
    assertThat(policed).isEqualTo(plain);
    assertThat(back).isEqualTo(plain);
  }

  @Test
  void theLargestShareOfAnyServiceATracePassesDecidesHowManyNormalTracesAreKept() {
    List<Decision> plain = run(TraceJudge.inline(SETTINGS), 12, 1);
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    judge.usePolicies(with(PolicyScope.service("frontend:8080"), share(0.5)));
    List<Decision> more = run(judge, 12, 1);
    TraceJudge through = TraceJudge.inline(SETTINGS);
    // cart is never a root, but every trace passes through it
    through.usePolicies(with(PolicyScope.service("cart:8081"), share(0.5)));
    List<Decision> moreThrough = run(through, 12, 1);
    TraceJudge elsewhere = TraceJudge.inline(SETTINGS);
    elsewhere.usePolicies(with(PolicyScope.service("nowhere:1"), share(0.5))
        .with(new ScopedPolicy(PolicyScope.service("frontend:8080"), 1, share(0.01), 0)));
    // a lower share at the root does not drop below the global one of the services it calls
    List<Decision> same = run(elsewhere, 12, 1);

    long kept = count(plain, "baseline");
    long keptMore = count(more, "baseline");
    assertThat(kept / 360.0).isBetween(0.02, 0.09);
    assertThat(keptMore / 360.0).isBetween(0.4, 0.6);
    for (int i = 0; i < plain.size(); i++) {
      if (plain.get(i).verdict().equals("baseline")) {
        assertThat(more.get(i).verdict()).as("a higher share keeps a superset").isEqualTo("baseline");
      }
    }
    assertThat(more).filteredOn(d -> d.verdict().equals("baseline"))
        .allSatisfy(d -> assertThat(d.reasons()).containsExactly("sampled as a normal baseline (50%)"));
    assertThat(moreThrough).isEqualTo(more);
    assertThat(same).isEqualTo(plain);
  }

  @Test
  void aMutedIssueIsHandledAsNormalButFailuresAreAlwaysKept() {
    List<Decision> plain = run(TraceJudge.inline(SETTINGS), 13, 30);
    Set<String> anomalyIssues = new java.util.TreeSet<>();
    String failureIssue = null;
    for (Decision d : plain) {
      if (d.verdict().equals("anomaly")) {
        anomalyIssues.add(d.fingerprint());
      } else if (d.verdict().equals("failure")) {
        failureIssue = d.fingerprint();
      }
    }
    PolicySet muted = AS_CONFIGURED;
    long revision = 1;
    for (String f : List.of(anomalyIssues.toArray(new String[0]))) {
      // one mute per endpoint scope would overwrite; mute them all on the root's service
      muted = muted.with(new ScopedPolicy(PolicyScope.service("frontend:8080"),
          revision++, new CapturePolicy(null, null, null, null, null, null,
              List.copyOf(union(muted.own(PolicyScope.service("frontend:8080")), f))), 0));
    }
    muted = muted.with(new ScopedPolicy(PolicyScope.GLOBAL, 1, muting(failureIssue), 0));
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    judge.usePolicies(muted);
    List<Decision> policed = run(judge, 13, 30);

    assertThat(anomalyIssues).isNotEmpty();
    assertThat(count(policed, "anomaly")).isZero();
    assertThat(count(policed, "failure")).as("failures are always retained").isEqualTo(5);
    for (int i = 0; i < plain.size(); i++) {
      if (plain.get(i).verdict().equals("anomaly")) {
        Decision d = policed.get(i);
        assertThat(d.verdict()).isIn("normal", "baseline");
        assertThat(d.fingerprint()).isNull();
        assertThat(d.rootCauses()).isEmpty();
        assertThat(d.reasons().get(0)).startsWith("anomaly of muted issue " + plain.get(i).fingerprint());
      }
    }
  }

  private static List<String> union(CapturePolicy own, String f) {
    List<String> out = new ArrayList<>(own.mutedFingerprints() == null ? List.of() : own.mutedFingerprints());
    out.add(f);
    return out;
  }

  @Test
  void aHigherThresholdAsksForStrongerDeviationsOnItsEndpointOnly() {
    PolicyScope checkout = PolicyScope.endpoint("frontend:8080", "GET", "/checkout?item=3");
    assertThat(checkout.name()).isEqualTo("frontend:8080 GET /checkout");

    // cart 6x slower: past the slow bar (3x p99) but not far past it
    long mildPlain = count(run(TraceJudge.inline(SETTINGS), 14, 6), "anomaly");
    TraceJudge strict = TraceJudge.inline(SETTINGS);
    strict.usePolicies(with(checkout, threshold(0.8)));
    List<Decision> mildStrict = run(strict, 14, 6);
    TraceJudge otherEndpoint = TraceJudge.inline(SETTINGS);
    otherEndpoint.usePolicies(with(PolicyScope.endpoint("frontend:8080", "GET", "/other"), threshold(0.8)));
    long mildOther = count(run(otherEndpoint, 14, 6), "anomaly");
    // cart 60x slower: far past any bar short of threshold 1
    TraceJudge strictSevere = TraceJudge.inline(SETTINGS);
    strictSevere.usePolicies(with(checkout, threshold(0.8)));
    long severeStrict = count(run(strictSevere, 14, 60), "anomaly");

    assertThat(mildPlain).isGreaterThan(40);
    assertThat(count(mildStrict, "anomaly")).isLessThan(mildPlain / 4);
    assertThat(mildStrict).anySatisfy(d -> assertThat(d.reasons())
        .anySatisfy(r -> assertThat(r).startsWith("deviations below the bar of anomaly threshold 0.80")));
    assertThat(count(mildStrict, "failure")).isEqualTo(5);
    assertThat(mildOther).isEqualTo(mildPlain);
    assertThat(severeStrict).isGreaterThan(40);
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    assertThat(judge.requiredStrength(0.65)).isZero();
    assertThat(judge.requiredStrength(0.3)).isZero();
    assertThat(judge.requiredStrength(1.0)).isEqualTo(CandidateEvidence.MAX_EXCESS);
    assertThat(judge.requiredStrength(0.825)).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
  }
}
