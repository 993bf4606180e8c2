package dev.rootline.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads what a node's API says was retained, for the cluster ITs' "nothing lost" checks. */
final class RetainedTraces {
  private RetainedTraces() {}

  /** Retained traces through the demo frontend: trace id → how often the listing holds it. */
  static Map<String, Integer> failedCheckouts(NodeProcess api, int frontendPort) throws Exception {
    JsonNode traces =
        api.getJson("/api/v1/traces?service=python3:" + frontendPort + "&limit=1000").get("traces");
    Map<String, Integer> out = new HashMap<>();
    for (JsonNode t : traces) {
      if (t.get("rootStatus").asInt() == 500 && t.get("rootPath").asText().equals("/checkout")) {
        out.merge(t.get("traceId").asText(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Trace ids of the requests that got a 500. */
  static Set<String> failed(List<CheckoutLoad.Sent> sent) {
    return sent.stream().filter(s -> s.status() == 500).map(CheckoutLoad.Sent::traceId).collect(Collectors.toSet());
  }

  /** Polls until every id in {@code expected} is retained; returns the last listing. */
  static Map<String, Integer> await(
      NodeProcess api, int frontendPort, Set<String> expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Integer> retained = Map.of();
    while (System.nanoTime() < deadline) {
      try {
        retained = failedCheckouts(api, frontendPort);
      } catch (AssertionError | java.io.IOException busy) {
        // A loaded store may answer 503 (timeout) now and then: ask again.
        System.err.println("retained traces not readable yet: " + busy.getMessage());
      }
      if (retained.keySet().containsAll(expected)) {
        return retained;
      }
      Thread.sleep(1000);
    }
    return retained;
  }

  /** Shards of an entity type per node address, from a node's {@code GET /api/v1/cluster}. */
  static Map<String, Integer> shards(JsonNode view, String entityType) {
    Map<String, Integer> out = new HashMap<>();
    JsonNode perNode = view.path("shards").path(entityType);
    perNode.fields().forEachRemaining(e -> {
      if (e.getValue().has("shards")) {
        out.put(e.getKey(), e.getValue().get("shards").asInt());
      }
    });
    return out;
  }

  static Set<String> upMembers(JsonNode view) {
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode m : view.get("members")) {
      if (m.get("status").asText().equals("Up")) {
        out.add(m.get("address").asText());
      }
    }
    return out;
  }
}
