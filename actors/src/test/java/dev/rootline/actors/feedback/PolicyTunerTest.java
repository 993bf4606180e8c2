package dev.rootline.actors.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTunerTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final TunerSettings SETTINGS =
      new TunerSettings(true, 0.5, 1024, Duration.ofMinutes(30), 0.05, 0.4, 0.95);
  private static final PolicySet POLICIES =
      PolicySet.of(new CapturePolicy(true, 256, 0.05, 0.65, 2000L, CapturePolicy.MASKING_RULES, List.of()));
  private static final RootCause SEARCH =
      new RootCause(RootCause.Level.ENDPOINT, "java:8082 GET /search", "java:8082", null, 0.6, List.of());

  private static RoutedFeedback routed(IssueFeedback.Kind kind, RootCause.Level level, String subject, String issueKind) {
    IssueFeedback f = new IssueFeedback("fb-1", kind, level, subject, null, "alice", NOW);
    IssueSummary s = new IssueSummary("00112233aabbccdd", "slow java:8082 GET /search", issueKind, "python3:8081",
        "GET /checkout?item=3", NOW, NOW, 3, 9, 0.5, 1, SEARCH, IssueSummary.OPEN);
    return new RoutedFeedback(f, s, List.of(SEARCH), List.of());
  }

  @Test
  void aConfirmedEndpointBoostsCaptureOfItsServiceForAWhile() {
    List<PolicyProposal> out = new PolicyTuner(SETTINGS).propose(
        routed(IssueFeedback.Kind.CONFIRM, RootCause.Level.ENDPOINT, "java:8082 GET /search", "anomaly"), POLICIES, NOW);

    assertThat(out).singleElement().satisfies(p -> {
      assertThat(p.scope()).isEqualTo(PolicyScope.service("java:8082"));
      assertThat(p.patch()).isEqualTo(new CapturePolicy(null, 1024, 0.5, null, null, null, null));
      assertThat(p.expiresAtMillis()).isEqualTo(NOW + Duration.ofMinutes(30).toMillis());
      assertThat(p.reason()).contains("alice confirmed", "java:8082 GET /search", "0.05 → 0.50", "256 → 1024");
    });
  }

  @Test
  void aServiceAlreadyCapturedMoreIsLeftAlone() {
    PolicySet boosted = POLICIES.with(new ScopedPolicy(PolicyScope.service("java:8082"), 1,
        new CapturePolicy(null, 2048, 0.8, null, null, null, null), NOW));
    assertThat(new PolicyTuner(SETTINGS).propose(
        routed(IssueFeedback.Kind.CONFIRM, RootCause.Level.SERVICE, "java:8082", "failure"), boosted, NOW)).isEmpty();
  }

  @Test
  void noiseMutesTheFingerprintOnTheEndpointAndRaisesAnAnomalysThreshold() {
    List<PolicyProposal> out = new PolicyTuner(SETTINGS).propose(
        routed(IssueFeedback.Kind.NOISE, null, null, "anomaly"), POLICIES, NOW);

    assertThat(out).singleElement().satisfies(p -> {
      assertThat(p.scope().key()).isEqualTo("endpoint:python3:8081 GET /checkout");
      assertThat(p.patch().mutedFingerprints()).containsExactly("00112233aabbccdd");
      assertThat(p.patch().anomalyThreshold()).isCloseTo(0.70, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(p.expiresAtMillis()).isZero();
      assertThat(p.patch().problems()).isEmpty();
    });
    // Noise on a failure mutes it but leaves the threshold.
    assertThat(new PolicyTuner(SETTINGS).propose(routed(IssueFeedback.Kind.NOISE, null, null, "failure"), POLICIES, NOW)
        .get(0).patch().anomalyThreshold()).isNull();
  }

  @Test
  void thresholdsStayWithinTheirBounds() {
    PolicySet high = POLICIES.with(new ScopedPolicy(PolicyScope.endpoint("python3:8081", "GET", "/checkout"), 3,
        new CapturePolicy(null, null, null, 0.95, null, null, List.of("00112233aabbccdd")), NOW));
    assertThat(new PolicyTuner(SETTINGS).propose(routed(IssueFeedback.Kind.NOISE, null, null, "anomaly"), high, NOW))
        .as("already muted and at the ceiling").isEmpty();

    PolicySet low = POLICIES.with(new ScopedPolicy(PolicyScope.endpoint("java:8082", "GET", "/search"), 1,
        new CapturePolicy(null, null, null, 0.42, null, null, null), NOW));
    List<PolicyProposal> missed = new PolicyTuner(SETTINGS).missed("java:8082 GET /search", "bob", low);
    assertThat(missed.get(0).patch().anomalyThreshold()).isEqualTo(0.4);
    assertThat(new PolicyTuner(SETTINGS).missed("java:8082 GET /search", "bob",
        low.with(new ScopedPolicy(PolicyScope.endpoint("java:8082", "GET", "/search"), 2,
            new CapturePolicy(null, null, null, 0.4, null, null, null), NOW)))).isEmpty();
  }

  @Test
  void rejectionsAndADisabledTunerChangeNothing() {
    assertThat(new PolicyTuner(SETTINGS).propose(
        routed(IssueFeedback.Kind.REJECT, RootCause.Level.SERVICE, "java:8082", "failure"), POLICIES, NOW)).isEmpty();
    TunerSettings off = new TunerSettings(false, 0.5, 1024, Duration.ofMinutes(30), 0.05, 0.4, 0.95);
    assertThat(new PolicyTuner(off).propose(
        routed(IssueFeedback.Kind.CONFIRM, RootCause.Level.SERVICE, "java:8082", "failure"), POLICIES, NOW)).isEmpty();
  }
}
