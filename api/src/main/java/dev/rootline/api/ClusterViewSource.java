package dev.rootline.api;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Where {@code GET /api/v1/cluster} gets the cluster's members, leader and shard counts. The node
 * implements it over Pekko cluster and sharding; the API serializes the answer as JSON as is.
 */
@FunctionalInterface
public interface ClusterViewSource {

  /** JSON-ready nested maps and lists; may take a while (it asks every node's shard region). */
  CompletionStage<Map<String, Object>> view();

  /** For an API without a cluster behind it (tests): every call fails with a clear message. */
  static ClusterViewSource unavailable() {
    return () ->
        java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalStateException("this API runs without a cluster"));
  }
}
