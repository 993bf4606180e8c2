package dev.rootline.actors.trace;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import smile.anomaly.IsolationForest;
import smile.anomaly.IsolationTree;
import smile.math.MathEx;
import smile.stat.distribution.GaussianDistribution;

/**
 * One endpoint's trained anomaly model: a Smile {@link IsolationForest} over {@link
 * TraceFeatures#vector()}, immutable once built, so the scorer can swap it in atomically.
 *
 * <p>Two choices differ from {@code IsolationForest.fit(...)}, both measured on trace-like data:
 *
 * <ul>
 *   <li>Features that were constant in the training window (a span count that never varies) are
 *       left out: a tree that splits on one learns nothing and dilutes every other tree's
 *       evidence. The mask is part of the model.
 *   <li>Trees are "extended" (random hyperplane cuts, extension level = dimensions - 1). With
 *       axis-parallel cuts a point far outside the training range is isolated no sooner than the
 *       most extreme training point, so a trace 50x slower than usual scored about as high as an
 *       ordinary slow one; tilted cuts separate it.
 * </ul>
 *
 * Trees are grown one after another from a seed on the calling thread (Smile's {@code fit} grows
 * them on the common fork-join pool with unseeded randomness), so a model is reproducible. Train
 * on one thread at a time: Smile's Gaussian sampler is a shared singleton.
 */
public final class AnomalyModel {

  private final IsolationForest forest;
  private final int[] featureMask;
  private final long version;
  private final int trainedOn;
  private final List<String> names;

  private AnomalyModel(IsolationForest forest, int[] featureMask, long version, int trainedOn,
      List<String> names) {
    this.forest = forest;
    this.featureMask = featureMask;
    this.version = version;
    this.trainedOn = trainedOn;
    this.names = names;
  }

  /** Trains on {@link TraceFeatures#vector()} rows (names from {@link TraceFeatures#NAMES}). */
  public static AnomalyModel train(
      double[][] rows, int trees, int subsample, long seed, long version) {
    return train(rows, TraceFeatures.NAMES, trees, subsample, seed, version);
  }

  /**
   * Trains a model on {@code rows} (each as long as {@code names}). Slow (up to seconds): call it
   * off any actor's thread.
   */
  public static AnomalyModel train(
      double[][] rows, List<String> names, int trees, int subsample, long seed, long version) {
    if (rows.length < 2) {
      throw new IllegalArgumentException("need at least 2 traces to train, got " + rows.length);
    }
    int[] mask = varyingFeatures(rows);
    double[][] data = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      data[i] = select(rows[i], mask);
    }
    int sampleSize = Math.min(subsample, data.length);
    int maxDepth = (int) Math.ceil(Math.log(sampleSize) / Math.log(2));
    int extensionLevel = mask.length - 1;
    // MathEx keeps its random generator per thread: seed this thread, grow every tree here.
    MathEx.setSeed(seed);
    forgetCachedGaussian();
    IsolationTree[] grown = new IsolationTree[trees];
    for (int t = 0; t < trees; t++) {
      int[] order = MathEx.permutate(data.length);
      List<double[]> sample = new ArrayList<>(sampleSize);
      for (int i = 0; i < sampleSize; i++) {
        sample.add(data[order[i]]);
      }
      grown[t] = new IsolationTree(sample, maxDepth, extensionLevel);
    }
    return new AnomalyModel(
        new IsolationForest(sampleSize, extensionLevel, grown), mask, version, rows.length,
        List.copyOf(names));
  }

  /** The anomaly score in [0, 1] of one feature vector: above ~0.6 means rarely seen. */
  public double score(double[] features) {
    if (featureMask.length == 0) {
      return 0.0;
    }
    double s = forest.score(select(features, featureMask));
    return Double.isFinite(s) ? s : 0.0;
  }

  public long version() {
    return version;
  }

  public int trainedOn() {
    return trainedOn;
  }

  /** Names of the features the model uses (constant ones were left out). */
  public List<String> features() {
    List<String> out = new ArrayList<>(featureMask.length);
    for (int i : featureMask) {
      out.add(i < names.size() ? names.get(i) : "feature " + i);
    }
    return out;
  }

  /**
   * Extended trees draw hyperplane normals from Smile's shared {@code GaussianDistribution}
   * singleton, which caches the second value of each Box-Muller pair across calls: left alone,
   * whatever the previous training drew would leak into this one and break reproducibility.
   */
  private static void forgetCachedGaussian() {
    try {
      Field cached = GaussianDistribution.class.getDeclaredField("z1");
      cached.setAccessible(true);
      cached.setDouble(GaussianDistribution.getInstance(), Double.NaN);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Another Smile version: the model is still valid, only not bit-for-bit reproducible.
    }
  }

  private static int[] varyingFeatures(double[][] rows) {
    int dims = rows[0].length;
    int[] keep = new int[dims];
    int n = 0;
    for (int j = 0; j < dims; j++) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double[] row : rows) {
        min = Math.min(min, row[j]);
        max = Math.max(max, row[j]);
      }
      if (max - min > 1e-9) {
        keep[n++] = j;
      }
    }
    int[] mask = new int[n];
    System.arraycopy(keep, 0, mask, 0, n);
    return mask;
  }

  private static double[] select(double[] row, int[] mask) {
    double[] out = new double[mask.length];
    for (int i = 0; i < mask.length; i++) {
      out[i] = row[mask[i]];
    }
    return out;
  }
}
