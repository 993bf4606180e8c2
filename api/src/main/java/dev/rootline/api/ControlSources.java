package dev.rootline.api;

import java.util.Objects;

/**
 * What the API changes, beyond what it reads: the root-cause models ({@code /models}), the
 * capture policies ({@code /policies}) and anomalies reported as missed ({@code
 * /feedback/missed-anomaly}).
 */
public record ControlSources(ModelSources models, PolicySources policies, MissedAnomalies missed) {

  public ControlSources {
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(policies, "policies");
    Objects.requireNonNull(missed, "missed");
  }

  /** Models and policies; missed anomalies are not taken (503). */
  public ControlSources(ModelSources models, PolicySources policies) {
    this(models, policies, MissedAnomalies.unavailable());
  }

  /** A node that offers neither: models list empty, policy routes answer 503. */
  public static ControlSources none() {
    return new ControlSources(ModelSources.none(), PolicySources.unavailable());
  }
}
