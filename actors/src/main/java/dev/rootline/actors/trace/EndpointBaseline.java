package dev.rootline.actors.trace;

import java.util.ArrayDeque;

/**
 * What the scorer keeps per endpoint: the recent traces' features (a bounded window), the current
 * model and whether a training run is under way. Owned by one scorer actor: not thread-safe.
 */
public final class EndpointBaseline {

  private final int windowSize;
  private final ArrayDeque<double[]> window;
  private int sinceTraining;
  private AnomalyModel model;
  private boolean training;
  private long lastVersion;

  public EndpointBaseline(int windowSize) {
    this.windowSize = windowSize;
    this.window = new ArrayDeque<>(Math.min(windowSize, 1024));
  }

  public void add(double[] features) {
    if (window.size() == windowSize) {
      window.removeFirst();
    }
    window.addLast(features);
    sinceTraining++;
  }

  /** A first model once {@code minTrain} traces are in, then a new one every {@code retrainEvery}. */
  public boolean wantsTraining(int minTrain, int retrainEvery) {
    if (training) {
      return false;
    }
    return model == null ? window.size() >= minTrain : sinceTraining >= retrainEvery;
  }

  /** Marks a training run as started and returns its input and the version it will produce. */
  public double[][] startTraining() {
    training = true;
    sinceTraining = 0;
    lastVersion++;
    return window.toArray(new double[0][]);
  }

  public long trainingVersion() {
    return lastVersion;
  }

  public void trained(AnomalyModel newModel) {
    training = false;
    if (model == null || newModel.version() > model.version()) {
      model = newModel;
    }
  }

  public void trainingFailed() {
    training = false;
  }

  public AnomalyModel model() {
    return model;
  }

  public int windowCount() {
    return window.size();
  }
}
