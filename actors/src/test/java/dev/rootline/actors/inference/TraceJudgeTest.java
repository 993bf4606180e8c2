package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.actors.trace.CompletedTrace;
import dev.rootline.actors.trace.Decision;
import dev.rootline.actors.trace.ScorerSettings;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceJudgeTest {

  // Isolation forests out of the way (min-train huge): these tests are about the inference core.
  private static final ScorerSettings SETTINGS =
      new ScorerSettings(0.65, 100_000, 100_000, 100_000, 1000, 10, 16, 1,
          InferenceSettings.fromReference());

  @Test
  void priorRanksAnInjectedSlowServiceFirst() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(1);
    shop.traces(300).forEach(t -> decide(judge, t));
    shop.cartSlowFactor = 30;
    List<Decision> anomalies = new ArrayList<>();
    for (List<Span> t : shop.traces(60)) {
      Decision d = decide(judge, t);
      if (d.verdict().equals("anomaly")) {
        anomalies.add(d);
      }
    }

    assertThat(anomalies).hasSizeGreaterThan(50);
    Decision last = anomalies.get(anomalies.size() - 1);
    RootCause top = last.rootCauses().get(0);
    assertThat(top.service()).as("%s", last.rootCauses()).isEqualTo("cart:8081");
    assertThat(top.level()).isIn(RootCause.Level.SERVICE, RootCause.Level.ENDPOINT);
    assertThat(top.evidence()).anySatisfy(e -> assertThat(e).contains("self time of cart:8081"));
    assertThat(last.issueTitle()).isEqualTo("slow cart:8081 GET /cart/{id}");
    assertThat(last.severity()).isBetween(0.3, 1.0);
    assertThat(last.reasons()).isNotEmpty();
    assertThat(last.rootCauses()).allSatisfy(c ->
        assertThat(c.features()).hasSize(CandidateEvidence.DIMENSIONS));
  }

  @Test
  void onOneHostTheHostIsNoCandidate() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(3);
    shop.traces(300).forEach(t -> decide(judge, onHost("vm", t)));
    shop.cartSlowFactor = 30;
    Decision last = null;
    for (List<Span> t : shop.traces(60)) {
      Decision d = decide(judge, onHost("vm", t));
      last = d.verdict().equals("anomaly") ? d : last;
    }

    assertThat(last).isNotNull();
    assertThat(last.rootCauses()).noneMatch(c -> c.level() == RootCause.Level.HOST);
    assertThat(last.rootCauses().get(0).service()).as("%s", last.rootCauses()).isEqualTo("cart:8081");
    assertThat(judge.rankSince(0, 10)).noneMatch(c -> c.level() == RootCause.Level.HOST);
  }

  private static List<Span> onHost(String host, List<Span> trace) {
    return trace.stream()
        .map(s -> new Span(s.traceId(), s.spanId(), s.parentSpanId(), s.kind(), host, s.service(),
            s.pid(), s.method(), s.path(), s.status(), s.startEpochNanos(), s.endEpochNanos(),
            s.requestBytes(), s.responseBytes(), s.localAddress(), s.peerAddress(),
            s.requestExcerpt(), s.responseExcerpt(), s.error()))
        .toList();
  }

  @Test
  void shiftOnOneHostOnlyIsSaid() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(2);
    shop.traces(300).forEach(t -> decide(judge, t));
    shop.cartSlowFactor = 30;
    shop.slowCartHost = "host-b";
    Decision last = null;
    for (List<Span> t : shop.traces(80)) {
      Decision d = decide(judge, t);
      last = d.verdict().equals("anomaly") ? d : last;
    }

    assertThat(last).isNotNull();
    RootCause cart = last.rootCauses().stream()
        .filter(c -> c.level() == RootCause.Level.SERVICE && "cart:8081".equals(c.subject()))
        .findFirst().orElseThrow();
    assertThat(cart.evidence()).anySatisfy(e -> assertThat(e).endsWith("on host-b only"));
  }

  @Test
  void probabilitiesSumToOneAndNormalTracesHaveNoRanking() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(3);
    for (List<Span> t : shop.traces(200)) {
      Decision d = decide(judge, t);
      assertThat(d.verdict()).isIn("normal", "baseline", "anomaly");
      if (!d.verdict().equals("anomaly")) {
        assertThat(d.rootCauses()).isEmpty();
        assertThat(d.fingerprint()).isNull();
      }
    }
    shop.catalogFails = true;
    Decision failure = decide(judge, shop.trace());

    assertThat(failure.verdict()).isEqualTo("failure");
    assertThat(failure.retain()).isTrue();
    assertThat(failure.rootCauses()).isNotEmpty();
    assertThat(failure.rootCauses().stream().mapToDouble(RootCause::probability).sum())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(failure.rootCauses()).isSortedAccordingTo(
        (a, b) -> Double.compare(b.probability(), a.probability()));
  }

  @Test
  void failureFingerprintIsStableAndIdSafe() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(4);
    shop.traces(100).forEach(t -> decide(judge, t));
    shop.catalogFails = true;
    Decision first = decide(judge, shop.trace());
    Decision second = decide(judge, shop.trace());
    TraceJudge other = TraceJudge.inline(SETTINGS);
    Decision elsewhere = decide(other, shop.trace());

    assertThat(first.fingerprint()).matches("[0-9a-f]{16}");
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(elsewhere.fingerprint()).as("another judge, same error signature").isEqualTo(first.fingerprint());
    assertThat(first.issueTitle()).isEqualTo("500 from catalog:8082 GET /price");
    assertThat(first.severity()).isEqualTo(1.0);
  }

  @Test
  void attributeValueOverRepresentedInFailuresIsACandidate() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(5);
    shop.traces(400).forEach(t -> decide(judge, t));
    shop.failingItem = 7;
    Decision last = null;
    for (List<Span> t : shop.traces(600)) {
      Decision d = decide(judge, t);
      last = d.verdict().equals("failure") ? d : last;
    }

    assertThat(last).isNotNull();
    List<RootCause> ranking = last.rootCauses();
    assertThat(ranking.subList(0, 3)).as("%s", ranking).anySatisfy(c -> {
      assertThat(c.level()).isEqualTo(RootCause.Level.ATTRIBUTE);
      assertThat(c.subject()).isEqualTo("query.item=7 on frontend:8080 GET /checkout");
    });
    RootCause item = ranking.stream().filter(c -> c.level() == RootCause.Level.ATTRIBUTE
        && c.subject().startsWith("query.item=7")).findFirst().orElseThrow();
    RootCause otherItem = ranking.stream().filter(c -> c.level() == RootCause.Level.ATTRIBUTE
        && !c.subject().startsWith("query.item=7")).findFirst().orElse(null);
    assertThat(item.evidence()).anySatisfy(e -> assertThat(e).startsWith("100% of anomalous traces pass through it"));
    if (otherItem != null) {
      assertThat(item.probability()).isGreaterThan(otherItem.probability());
    }
  }

  @Test
  void aboutFivePercentOfNormalTracesAreKeptAsBaseline() {
    TraceJudge judge = TraceJudge.inline(SETTINGS);
    SyntheticTraces shop = new SyntheticTraces(6);
    int baseline = 0;
    int normal = 0;
    for (List<Span> t : shop.traces(2000)) {
      Decision d = decide(judge, t);
      if (d.verdict().equals("baseline")) {
        baseline++;
        assertThat(d.retain()).isTrue();
      } else if (d.verdict().equals("normal")) {
        normal++;
        assertThat(d.retain()).isFalse();
      }
    }
    double share = baseline / (double) (baseline + normal);
    assertThat(share).isBetween(0.03, 0.07);
  }

  private static Decision decide(TraceJudge judge, List<Span> spans) {
    return judge.decide(CompletedTrace.of(spans.get(0).traceId(), spans));
  }
}
