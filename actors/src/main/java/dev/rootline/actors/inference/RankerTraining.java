package dev.rootline.actors.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Operators' feedback as training for the root-cause ranker: labelled rows from {@link
 * RankingLabel}s, a retrained ranker (the simulated prior plus the labels, weighted), its
 * accuracy on labels it was not trained on, and a deterministic held-back split. Pure functions;
 * training takes about as long as the prior's (well under a second for a few thousand rows), so
 * call it off any actor's thread.
 */
public final class RankerTraining {

  private RankerTraining() {}

  /**
   * Accuracy of a ranker on labels: the share of rankings whose confirmed cause is ranked first,
   * in the top 3, in the top 5, and its mean rank (1 = first).
   *
   * @param rankings the rankable labels scored (confirmed cause among the candidates); the
   *     shares and the mean rank are 0 when there were none
   */
  public record Metrics(int rankings, double ac1, double ac3, double ac5, double meanRank) {

    /**
     * True when these metrics (of a candidate model) are at least as good as {@code current}'s on
     * the same labels: AC@1 and AC@3 not lower. With no rankable label nothing can be worse.
     */
    public boolean notWorseThan(Metrics current) {
      return ac1 >= current.ac1 - 1e-12 && ac3 >= current.ac3 - 1e-12;
    }
  }

  /** Labels split by issue: {@code training} to train on, {@code heldBack} to judge the result. */
  public record Split(List<RankingLabel> training, List<RankingLabel> heldBack) {
    public Split {
      training = List.copyOf(training);
      heldBack = List.copyOf(heldBack);
    }
  }

  /**
   * The labelled rows of feedback: the confirmed candidate is a positive (1); the other candidates
   * of a label with a confirmed cause are negatives (0), whether or not that cause is listed (a
   * named cause that was not listed makes every listed candidate a negative); a label without a
   * confirmed cause (a rejection) gives its rejected candidates as negatives, or, when it rejects
   * none, every listed candidate. Candidates without a vector of {@link
   * CandidateEvidence#DIMENSIONS} finite numbers are skipped.
   */
  public static RootCausePrior.TrainingSet rows(List<RankingLabel> labels) {
    List<double[]> rows = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    for (RankingLabel label : labels) {
      for (int i = 0; i < label.keys().size(); i++) {
        String key = label.keys().get(i);
        double[] v = label.vectors().get(i);
        if (!usable(v)) {
          continue;
        }
        int y;
        if (label.confirmedKey() != null) {
          y = key.equals(label.confirmedKey()) ? 1 : 0;
        } else if (label.rejectedKeys().isEmpty() || label.rejectedKeys().contains(key)) {
          y = 0;
        } else {
          continue; // rejecting one candidate says nothing of the others
        }
        rows.add(v.clone());
        ys.add(y);
      }
    }
    return new RootCausePrior.TrainingSet(rows.toArray(new double[0][]),
        ys.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * A ranker trained on the prior's rows plus the labels' rows, each label row repeated {@code
   * labelWeight} times (a confirmed ranking is worth more than one simulated incident's),
   * L2-regularised as the prior is. Labels that cannot train anything leave the prior's rows alone.
   */
  public static RootCauseRanker train(RootCausePrior.TrainingSet prior, List<RankingLabel> labels,
      int labelWeight, long version) {
    if (labelWeight < 0) {
      throw new IllegalArgumentException("label weight must not be negative: " + labelWeight);
    }
    RootCausePrior.TrainingSet fed = rows(labels);
    int n = prior.rows().length + fed.rows().length * labelWeight;
    double[][] rows = new double[n][];
    int[] ys = new int[n];
    System.arraycopy(prior.rows(), 0, rows, 0, prior.rows().length);
    System.arraycopy(prior.labels(), 0, ys, 0, prior.labels().length);
    int at = prior.rows().length;
    for (int r = 0; r < labelWeight; r++) {
      for (int i = 0; i < fed.rows().length; i++, at++) {
        rows[at] = fed.rows()[i];
        ys[at] = fed.labels()[i];
      }
    }
    return RootCauseRanker.train(rows, ys, version);
  }

  /**
   * How well {@code ranker} ranks the confirmed cause of every rankable label ({@link
   * RankingLabel#rankable()}); the others are not counted. Candidates are ordered as {@link
   * RootCauseRanker#rank} orders them (log-odds, then key).
   */
  public static Metrics evaluate(RootCauseRanker ranker, List<RankingLabel> labels) {
    int rankings = 0;
    int at1 = 0;
    int at3 = 0;
    int at5 = 0;
    long rankSum = 0;
    for (RankingLabel label : labels) {
      if (!label.rankable()) {
        continue;
      }
      int rank = rankOf(ranker, label);
      rankings++;
      at1 += rank <= 1 ? 1 : 0;
      at3 += rank <= 3 ? 1 : 0;
      at5 += rank <= 5 ? 1 : 0;
      rankSum += rank;
    }
    if (rankings == 0) {
      return new Metrics(0, 0, 0, 0, 0);
    }
    double n = rankings;
    return new Metrics(rankings, at1 / n, at3 / n, at5 / n, rankSum / n);
  }

  /**
   * Like {@link #evaluate}, one level up: a service's score is the sum of the probabilities
   * (softmax over all the label's candidates) of the candidates in it ({@link #serviceOf}), and
   * the confirmed cause's service is ranked among the services. This is the level an operator
   * acts on (and the Nezha evaluation scores); a model can gain candidate ranks while losing
   * service ranks, so promotion should check both. Labels whose confirmed cause lies in no
   * service (a host) are not counted.
   */
  public static Metrics evaluateByService(RootCauseRanker ranker, List<RankingLabel> labels) {
    int rankings = 0;
    int at1 = 0;
    int at3 = 0;
    int at5 = 0;
    long rankSum = 0;
    for (RankingLabel label : labels) {
      String truth = label.rankable() ? serviceOf(label.confirmedKey()) : null;
      if (truth == null) {
        continue;
      }
      double[] z = new double[label.keys().size()];
      double top = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < z.length; i++) {
        double[] v = label.vectors().get(i);
        z[i] = usable(v) ? ranker.logit(v) : Double.NEGATIVE_INFINITY;
        top = Math.max(top, z[i]);
      }
      java.util.Map<String, Double> score = new java.util.HashMap<>();
      for (int i = 0; i < z.length; i++) {
        String service = serviceOf(label.keys().get(i));
        if (service != null) {
          score.merge(service, Double.isInfinite(z[i]) ? 0 : Math.exp(z[i] - top), Double::sum);
        }
      }
      List<String> services = new ArrayList<>(score.keySet());
      services.sort(Comparator.<String>comparingDouble(s -> -score.get(s)).thenComparing(s -> s));
      int rank = services.indexOf(truth) + 1;
      rankings++;
      at1 += rank <= 1 ? 1 : 0;
      at3 += rank <= 3 ? 1 : 0;
      at5 += rank <= 5 ? 1 : 0;
      rankSum += rank;
    }
    if (rankings == 0) {
      return new Metrics(0, 0, 0, 0, 0);
    }
    double n = rankings;
    return new Metrics(rankings, at1 / n, at3 / n, at5 / n, rankSum / n);
  }

  /**
   * The service a candidate key ("LEVEL|subject") lies in, or null (a host, or a key of no known
   * form): SERVICE|s is s; ENDPOINT|"s METHOD /path" is s; ATTRIBUTE|"a on s METHOD /path" is s.
   */
  public static String serviceOf(String key) {
    int bar = key == null ? -1 : key.indexOf('|');
    if (bar < 0) {
      return null;
    }
    String level = key.substring(0, bar);
    String subject = key.substring(bar + 1);
    String operation;
    switch (level) {
      case "SERVICE":
        return subject.isEmpty() ? null : subject;
      case "ENDPOINT":
        operation = subject;
        break;
      case "ATTRIBUTE":
        int on = subject.lastIndexOf(" on ");
        operation = on < 0 ? "" : subject.substring(on + 4);
        break;
      default:
        return null;
    }
    // "service METHOD path": the service is what precedes the last two words
    int path = operation.lastIndexOf(' ');
    int method = path <= 0 ? -1 : operation.lastIndexOf(' ', path - 1);
    return method <= 0 ? null : operation.substring(0, method);
  }

  /** The 1-based rank the ranker gives the label's confirmed cause among its candidates. */
  static int rankOf(RootCauseRanker ranker, RankingLabel label) {
    List<Integer> order = new ArrayList<>();
    double[] z = new double[label.keys().size()];
    for (int i = 0; i < z.length; i++) {
      double[] v = label.vectors().get(i);
      z[i] = usable(v) ? ranker.logit(v) : Double.NEGATIVE_INFINITY;
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -z[i])
        .thenComparing(i -> label.keys().get(i)));
    for (int r = 0; r < order.size(); r++) {
      if (label.keys().get(order.get(r)).equals(label.confirmedKey())) {
        return r + 1;
      }
    }
    throw new IllegalArgumentException("not rankable: " + label.confirmedKey());
  }

  /**
   * Splits labels into training and held-back ones, deterministically by a hash of the issue id:
   * every label of one issue falls on the same side (rankings of one issue are near copies of each
   * other; splitting them would let the model see its test). About {@code heldBackShare} of the
   * issues are held back.
   */
  public static Split split(List<RankingLabel> labels, double heldBackShare) {
    if (!(heldBackShare >= 0 && heldBackShare <= 1)) {
      throw new IllegalArgumentException("held-back share must be in [0, 1]: " + heldBackShare);
    }
    List<RankingLabel> training = new ArrayList<>();
    List<RankingLabel> heldBack = new ArrayList<>();
    for (RankingLabel label : labels) {
      (unit(label.issueId()) < heldBackShare ? heldBack : training).add(label);
    }
    return new Split(training, heldBack);
  }

  /** A stable uniform number in [0, 1) for a text (the same on every JVM and node). */
  public static double unit(String text) {
    long h = (text == null ? 0 : text.hashCode()) * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (h >>> 11) / (double) (1L << 53);
  }

  private static boolean usable(double[] v) {
    if (v == null || v.length != CandidateEvidence.DIMENSIONS) {
      return false;
    }
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }
}
