package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RankerTrainingTest {

  private static final int D = CandidateEvidence.DIMENSIONS;

  /** Evidence where the deviation starts (what the prior prefers), with some noise. */
  private static double[] origin(Random r) {
    double[] v = new double[D];
    v[0] = 0.7 + 0.2 * r.nextDouble();
    v[1] = 0.6 + 0.2 * r.nextDouble();
    v[2] = 0.5 + 0.2 * r.nextDouble();
    v[5] = 0.9;
    v[6] = 0.5;
    v[11] = 1;
    v[13] = 1;
    return v;
  }

  /** A request attribute seen on anomalous traces only, where nothing starts. */
  private static double[] attribute(Random r) {
    double[] v = new double[D];
    v[5] = 0.8 + 0.2 * r.nextDouble();
    v[6] = 0.7 + 0.2 * r.nextDouble();
    v[15] = 1;
    return v;
  }

  private static RankingLabel label(String issue, int i, List<String> keys, List<double[]> vectors,
      String confirmed, List<String> rejected) {
    return new RankingLabel(issue, "t" + i, keys, vectors, confirmed, rejected, "f" + i, i);
  }

  @Test
  void aRankerRebuiltFromItsWeightsRanksExactlyAsTheOriginal() {
    Random r = new Random(3);
    List<CandidateEvidence> evidence = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      double[] v = new double[D];
      for (int j = 0; j < 12; j++) {
        v[j] = r.nextDouble() * (r.nextBoolean() ? 1 : -1);
      }
      v[12 + r.nextInt(4)] = 1;
      evidence.add(new CandidateEvidence(Candidate.service("s" + i), v, List.of("w" + i)));
    }
    RootCauseRanker prior = RootCausePrior.ranker(InferenceSettings.DEFAULTS);
    RootCauseRanker fallback = RootCauseRanker.fallback();
    for (RootCauseRanker original : List.of(prior, fallback)) {
      double[] w = original.weights();
      assertThat(w).hasSize(D + 1);
      RootCauseRanker copy = RootCauseRanker.ofWeights(w, original.version());
      assertThat(copy.version()).isEqualTo(original.version());
      assertThat(copy.rank(evidence, 10)).isEqualTo(original.rank(evidence, 10));
      w[0] += 100; // weights() is a copy: the ranker cannot be changed through it
      assertThat(original.weights()[0]).isNotEqualTo(w[0]);
    }
    assertThat(fallback.weights()[D]).as("the fallback's intercept").isEqualTo(-2.0);
    assertThat(prior.weights()).isNotEqualTo(fallback.weights());
    assertThatThrownBy(() -> RootCauseRanker.ofWeights(new double[D], 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17 weights");
    double[] bad = new double[D + 1];
    bad[3] = Double.NaN;
    assertThatThrownBy(() -> RootCauseRanker.ofWeights(bad, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rowsFollowWhatTheFeedbackSaid() {
    Random r = new Random(1);
    List<String> keys = List.of("SERVICE|a", "SERVICE|b", "ATTRIBUTE|x on a GET /")  ;
    List<double[]> vs = List.of(origin(r), origin(r), attribute(r));
    List<double[]> withBroken = new ArrayList<>(vs);
    withBroken.set(1, new double[3]); // not of the ranker's shape: skipped
    RootCausePrior.TrainingSet set = RankerTraining.rows(List.of(
        label("i1", 1, keys, vs, "SERVICE|b", List.of()),             // 0 1 0
        label("i2", 2, keys, vs, "HOST|elsewhere", List.of()),        // named, not listed: 0 0 0
        label("i3", 3, keys, vs, null, List.of("SERVICE|a")),         // one rejection: 0
        label("i4", 4, keys, withBroken, "SERVICE|a", List.of())));   // 1 _ 0

    assertThat(set.labels()).containsExactly(0, 1, 0, 0, 0, 0, 0, 1, 0);
    assertThat(set.rows().length).isEqualTo(9);
    assertThat(set.rows()[1]).containsExactly(vs.get(1));
  }

  @Test
  void evaluateCountsRanksOfRankableLabelsOnly() {
    RootCauseRanker fallback = RootCauseRanker.fallback();
    // Under the fallback's weights, more "origin share" (dimension 0) ranks higher.
    List<String> keys = List.of("SERVICE|a", "SERVICE|b", "SERVICE|c", "SERVICE|d", "SERVICE|e");
    List<double[]> vs = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      double[] v = new double[D];
      v[0] = 1.0 - i * 0.1; // a first, e last
      vs.add(v);
    }
    List<RankingLabel> labels = List.of(
        label("i1", 1, keys, vs, "SERVICE|a", List.of()),   // rank 1
        label("i2", 2, keys, vs, "SERVICE|b", List.of()),   // rank 2
        label("i3", 3, keys, vs, "SERVICE|d", List.of()),   // rank 4
        label("i4", 4, keys, vs, "SERVICE|zz", List.of()),  // not listed: not counted
        label("i5", 5, keys, vs, null, List.of("SERVICE|a")));  // rejection: not counted

    RankerTraining.Metrics m = RankerTraining.evaluate(fallback, labels);

    assertThat(m.rankings()).isEqualTo(3);
    assertThat(m.ac1()).isCloseTo(1 / 3.0, offset(1e-12));
    assertThat(m.ac3()).isCloseTo(2 / 3.0, offset(1e-12));
    assertThat(m.ac5()).isCloseTo(1.0, offset(1e-12));
    assertThat(m.meanRank()).isCloseTo(7 / 3.0, offset(1e-12));
    assertThat(RankerTraining.evaluate(fallback, labels.subList(3, 5)))
        .isEqualTo(new RankerTraining.Metrics(0, 0, 0, 0, 0));
  }

  @Test
  void byServiceTheCandidatesOfOneServiceAddUp() {
    assertThat(RankerTraining.serviceOf("SERVICE|cart:8081")).isEqualTo("cart:8081");
    assertThat(RankerTraining.serviceOf("ENDPOINT|cart:8081 GET /cart/{id}")).isEqualTo("cart:8081");
    assertThat(RankerTraining.serviceOf("ATTRIBUTE|query.item=7 on frontend:8080 GET /checkout"))
        .isEqualTo("frontend:8080");
    assertThat(RankerTraining.serviceOf("HOST|host-b")).isNull();
    assertThat(RankerTraining.serviceOf("ENDPOINT|nonsense")).isNull();
    assertThat(RankerTraining.serviceOf("no bar")).isNull();

    RootCauseRanker fallback = RootCauseRanker.fallback();
    // b's service candidate ranks above a's, but a's two candidates together outweigh it
    List<String> keys = List.of("SERVICE|b", "SERVICE|a", "ENDPOINT|a GET /x", "HOST|h");
    double[] strength = {1.0, 0.9, 0.9, 2.0};
    List<double[]> vs = new ArrayList<>();
    for (double x : strength) {
      double[] v = new double[D];
      v[0] = x;
      vs.add(v);
    }
    RankingLabel a = label("i1", 1, keys, vs, "SERVICE|a", List.of());
    RankingLabel b = label("i2", 2, keys, vs, "SERVICE|b", List.of());
    RankingLabel host = label("i3", 3, keys, vs, "HOST|h", List.of());

    // candidates: HOST|h, SERVICE|b, then a's two (a tie, by key: ENDPOINT first)
    assertThat(RankerTraining.evaluate(fallback, List.of(a)).meanRank()).isEqualTo(4.0);
    RankerTraining.Metrics byService = RankerTraining.evaluateByService(fallback, List.of(a, b, host));
    assertThat(byService.rankings()).as("the host label lies in no service").isEqualTo(2);
    assertThat(byService.ac1()).isEqualTo(0.5);
    assertThat(byService.meanRank()).isEqualTo(1.5);
  }

  @Test
  void labelsThatContradictThePriorFlipItsRanking() {
    RootCausePrior.TrainingSet prior = RootCausePrior.trainingSet(InferenceSettings.DEFAULTS);
    RootCauseRanker before = RootCausePrior.ranker(InferenceSettings.DEFAULTS);
    Random r = new Random(7);
    List<String> keys = List.of("SERVICE|frontend", "ATTRIBUTE|region=eu on frontend GET /");
    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Operators keep saying: not where the deviation starts, the request attribute is the cause.
      labels.add(label("issue-" + (i % 8), i, keys, List.of(origin(r), attribute(r)),
          keys.get(1), List.of(keys.get(0))));
    }
    RankerTraining.Split split = RankerTraining.split(labels, 0.5);
    assertThat(split.training()).isNotEmpty();
    assertThat(split.heldBack()).isNotEmpty();

    RankerTraining.Metrics was = RankerTraining.evaluate(before, split.heldBack());
    RootCauseRanker after = RankerTraining.train(prior, split.training(), 20, 2);
    RankerTraining.Metrics is = RankerTraining.evaluate(after, split.heldBack());
    RankerTraining.Metrics unweighted =
        RankerTraining.evaluate(RankerTraining.train(prior, split.training(), 0, 2), split.heldBack());

    assertThat(after.version()).isEqualTo(2);
    assertThat(was.ac1()).as("the prior ranks where the deviation starts first").isZero();
    assertThat(unweighted).as("weight 0: the prior's rows alone").isEqualTo(was);
    assertThat(is.rankings()).isEqualTo(split.heldBack().size());
    assertThat(is.ac1()).isEqualTo(1.0);
    assertThat(is.notWorseThan(was)).isTrue();
    assertThat(was.notWorseThan(is)).isFalse();
    List<RootCause> ranking = after.rank(List.of(
        new CandidateEvidence(Candidate.service("frontend"), origin(r), List.of()),
        new CandidateEvidence(Candidate.attribute("frontend", "region=eu", "GET /"), attribute(r),
            List.of())), 2);
    assertThat(ranking.get(0).level()).isEqualTo(RootCause.Level.ATTRIBUTE);
  }

  @Test
  void theSplitIsByIssueDeterministicAndNearTheShare() {
    List<RankingLabel> labels = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      labels.add(label("issue-" + (i % 400), i, List.of(), List.of(), null, List.of()));
    }
    RankerTraining.Split a = RankerTraining.split(labels, 0.3);
    RankerTraining.Split b = RankerTraining.split(new ArrayList<>(labels), 0.3);

    assertThat(a).isEqualTo(b);
    Set<String> trainingIssues = new HashSet<>();
    a.training().forEach(l -> trainingIssues.add(l.issueId()));
    assertThat(a.heldBack()).noneMatch(l -> trainingIssues.contains(l.issueId()));
    assertThat(a.heldBack().size() / 2000.0).isBetween(0.25, 0.35);
    assertThat(RankerTraining.split(labels, 0).heldBack()).isEmpty();
    assertThat(RankerTraining.split(labels, 1).training()).isEmpty();
    assertThatThrownBy(() -> RankerTraining.split(labels, 1.5)).isInstanceOf(IllegalArgumentException.class);
  }
}
