package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the cluster retained, read through the API of any live node: the listing ({@code
 * /api/v1/traces?from&to&limit}) in time windows small enough to stay under the page limit, each
 * retained row counted once per (trace id, decision time), so a trace retained twice (two
 * decisions) shows as 2 while a row seen in two overlapping windows does not.
 */
public final class RetainedTraces {
  private static final int LIMIT = 1000;

  private final ChaosLab lab;

  public RetainedTraces(ChaosLab lab) {
    this.lab = lab;
  }

  /** Trace id → how many retained decisions the listing holds, for [fromMillis, toMillis]. */
  public Map<String, Integer> retained(long fromMillis, long toMillis) throws IOException, InterruptedException {
    Set<String> rows = new HashSet<>();
    collect(fromMillis, toMillis, rows);
    Map<String, Integer> out = new HashMap<>();
    for (String row : rows) {
      out.merge(row.substring(0, row.indexOf('|')), 1, Integer::sum);
    }
    return out;
  }

  private void collect(long from, long to, Set<String> rows) throws IOException, InterruptedException {
    JsonNode page = null;
    for (NodeJvm n : lab.nodes()) {
      if (!n.alive()) {
        continue;
      }
      page = lab.http().json(n.api() + "/traces?from=" + from + "&to=" + to + "&limit=" + LIMIT, Duration.ofSeconds(30));
      if (page != null && page.has("traces")) {
        break;
      }
    }
    if (page == null || !page.has("traces")) {
      throw new IOException("no node answered the traces listing for " + from + ".." + to);
    }
    if (page.get("traces").size() >= LIMIT && to - from > 1000) {
      long mid = from + (to - from) / 2;
      collect(from, mid, rows);
      collect(mid, to, rows);
      return;
    }
    for (JsonNode t : page.get("traces")) {
      rows.add(t.path("traceId").asText() + "|" + t.path("decidedAtEpochMillis").asLong());
    }
  }

  /**
   * Polls until every id in {@code expected} is retained or {@code timeout} passes (the last
   * decisions come a quiet period + linger after the load stops); the last listing.
   */
  public Map<String, Integer> await(
      Set<String> expected, long fromMillis, Duration timeout, Consumer<String> progress)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    Map<String, Integer> last = Map.of();
    int round = 0;
    while (true) {
      try {
        last = retained(fromMillis, System.currentTimeMillis() + 60_000);
      } catch (IOException busy) {
        progress.accept("retained traces not readable yet: " + busy.getMessage());
      }
      Map<String, Integer> seen = last;
      long missing = expected.stream().filter(id -> !seen.containsKey(id)).count();
      if (missing == 0 || System.currentTimeMillis() > deadline) {
        return last;
      }
      if (++round % 5 == 0) {
        progress.accept(missing + " of " + expected.size() + " must-retain requests not found yet");
      }
      Thread.sleep(2000);
    }
  }
}
