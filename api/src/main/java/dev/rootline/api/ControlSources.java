package dev.rootline.api;

import java.util.Objects;

/**
 * What the API changes, beyond what it reads: the root-cause models ({@code /models}) and the
 * capture policies ({@code /policies}).
 */
public record ControlSources(ModelSources models, PolicySources policies) {

  public ControlSources {
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(policies, "policies");
  }

  /** A node that offers neither: models list empty, policy routes answer 503. */
  public static ControlSources none() {
    return new ControlSources(ModelSources.none(), PolicySources.unavailable());
  }
}
