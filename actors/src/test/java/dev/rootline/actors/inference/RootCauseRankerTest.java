package dev.rootline.actors.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.rootline.persistence.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RootCauseRankerTest {

  private static List<CandidateEvidence> candidates(int n, long seed) {
    Random random = new Random(seed);
    List<CandidateEvidence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] v = new double[CandidateEvidence.DIMENSIONS];
      for (int j = 0; j < 12; j++) {
        v[j] = random.nextDouble();
      }
      v[13] = 1;
      out.add(new CandidateEvidence(Candidate.service("svc-" + i), v, List.of("why " + i)));
    }
    return out;
  }

  @Test
  void probabilitiesSumToOneAlsoWhenCut() {
    RootCauseRanker prior = RootCausePrior.ranker(InferenceSettings.DEFAULTS);
    for (int max : new int[] {1, 3, 10, 100}) {
      List<RootCause> ranking = prior.rank(candidates(25, max), max);
      assertThat(ranking).hasSize(Math.min(max, 25));
      assertThat(ranking.stream().mapToDouble(RootCause::probability).sum()).isCloseTo(1.0, offset(1e-9));
      assertThat(ranking).isSortedAccordingTo((a, b) -> Double.compare(b.probability(), a.probability()));
      assertThat(ranking).allSatisfy(c -> assertThat(c.probability()).isBetween(0.0, 1.0));
    }
    assertThat(prior.rank(List.of(), 5)).isEmpty();
  }

  @Test
  void thePriorIsTrainedDeterministicallyAndPrefersWhereDeviationsStart() {
    RootCauseRanker prior = RootCausePrior.ranker(InferenceSettings.DEFAULTS);
    RootCausePrior.TrainingSet set = RootCausePrior.trainingSet(InferenceSettings.DEFAULTS);
    RootCauseRanker again = RootCauseRanker.train(set.rows(), set.labels(), 1);
    double[] origin = new double[CandidateEvidence.DIMENSIONS];
    origin[0] = 0.8;
    origin[1] = 0.7;
    origin[5] = 0.9;
    origin[6] = 0.5;
    origin[11] = 1;
    origin[13] = 1;
    double[] bystander = origin.clone();
    bystander[0] = 0;
    bystander[1] = 0;
    bystander[11] = 0;

    assertThat(prior.version()).isEqualTo(1);
    assertThat(again.logit(origin)).isEqualTo(prior.logit(origin));
    assertThat(prior.logit(origin)).isGreaterThan(prior.logit(bystander));
  }

  @Test
  void fallbackRanksWithoutAModel() {
    RootCauseRanker fallback = RootCauseRanker.train(new double[0][], new int[0], 1);
    assertThat(fallback.version()).isZero();
    List<RootCause> ranking = fallback.rank(candidates(4, 1), 4);
    assertThat(ranking.stream().mapToDouble(RootCause::probability).sum()).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void everyRankedCandidateCarriesTheVectorItWasScoredOn() {
    RootCauseRanker prior = RootCausePrior.ranker(InferenceSettings.DEFAULTS);
    List<CandidateEvidence> evidence = candidates(6, 9);
    List<RootCause> ranking = prior.rank(evidence, 6);
    for (RootCause c : ranking) {
      CandidateEvidence source = evidence.stream()
          .filter(e -> e.candidate().key().equals(c.key())).findFirst().orElseThrow();
      assertThat(c.features()).containsExactly(source.vector());
      assertThat(prior.logit(c.features())).isEqualTo(prior.logit(source.vector()));
    }
  }
}
