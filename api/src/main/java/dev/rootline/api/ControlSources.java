package dev.rootline.api;

import java.util.Objects;

/**
 * What the API changes, beyond what it reads: the root-cause models ({@code /models}) and the
 * capture policies ({@code /policies}).
 */
public record ControlSources(ModelSources models) {

  public ControlSources {
    Objects.requireNonNull(models, "models");
  }

  /** A node that offers neither: empty lists and 404s. */
  public static ControlSources none() {
    return new ControlSources(ModelSources.none());
  }
}
