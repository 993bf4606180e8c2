package dev.rootline.actors.trace;

import java.util.ArrayDeque;

/**
 * What the scorer keeps per endpoint: the recent traces' features (a bounded window), the current
 * model and whether a training run is under way. Owned by one scorer actor: not thread-safe.
 */
final class EndpointBaseline {

  private final int windowSize;
  private final ArrayDeque<double[]> window;
  private int sinceTraining;
  private AnomalyModel model;
  private boolean training;
  private long lastVersion;

  EndpointBaseline(int windowSize) {
    this.windowSize = windowSize;
    this.window = new ArrayDeque<>(Math.min(windowSize, 1024));
  }

  void add(double[] features) {
    if (window.size() == windowSize) {
      window.removeFirst();
    }
    window.addLast(features);
    sinceTraining++;
  }

  /** A first model once {@code minTrain} traces are in, then a new one every {@code retrainEvery}. */
  boolean wantsTraining(int minTrain, int retrainEvery) {
    if (training) {
      return false;
    }
    return model == null ? window.size() >= minTrain : sinceTraining >= retrainEvery;
  }

  /** Marks a training run as started and returns its input and the version it will produce. */
  double[][] startTraining() {
    training = true;
    sinceTraining = 0;
    lastVersion++;
    return window.toArray(new double[0][]);
  }

  long trainingVersion() {
    return lastVersion;
  }

  void trained(AnomalyModel newModel) {
    training = false;
    if (model == null || newModel.version() > model.version()) {
      model = newModel;
    }
  }

  void trainingFailed() {
    training = false;
  }

  AnomalyModel model() {
    return model;
  }

  int windowCount() {
    return window.size();
  }
}
