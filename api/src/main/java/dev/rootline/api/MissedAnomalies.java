package dev.rootline.api;

import dev.rootline.persistence.policy.PolicyChange;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /feedback/missed-anomaly}: an operator saw an anomaly on an endpoint that Rootline
 * did not keep; the policy tuner lowers that endpoint's anomaly threshold (within its bounds).
 */
@FunctionalInterface
public interface MissedAnomalies {

  /**
   * @param endpoint "service METHOD path" (the endpoint scope's name)
   * @return the policy changes made (none when the threshold is already at its floor)
   */
  CompletionStage<List<PolicyChange>> report(String endpoint, String by, String comment);

  static MissedAnomalies unavailable() {
    return (endpoint, by, comment) ->
        CompletableFuture.failedFuture(new IllegalStateException("this API runs without capture policies"));
  }
}
