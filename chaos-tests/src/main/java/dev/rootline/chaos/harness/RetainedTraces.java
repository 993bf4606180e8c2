package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the cluster retained, read through the API of any live node: the listing ({@code
 * /api/v1/traces?from&to&limit}) in time windows small enough to stay under the page limit, each
 * retained row counted once per (trace id, decision time, span count, root), so a trace retained
 * twice (two decisions) shows as 2 while a row seen in two overlapping windows does not.
 */
public final class RetainedTraces {
  private static final int LIMIT = 1000;

  private final ChaosLab lab;

  public RetainedTraces(ChaosLab lab) {
    this.lab = lab;
  }

  private volatile Map<String, List<String>> lastDecisions = Map.of();

  /** Trace id → how many retained decisions the listing holds, for [fromMillis, toMillis]. */
  public Map<String, Integer> retained(long fromMillis, long toMillis) throws IOException, InterruptedException {
    Set<String> rows = new HashSet<>();
    collect(fromMillis, toMillis, rows);
    Map<String, Integer> out = new HashMap<>();
    Map<String, List<String>> decisions = new HashMap<>();
    for (String row : rows) {
      String id = row.substring(0, row.indexOf('|'));
      out.merge(id, 1, Integer::sum);
      decisions.computeIfAbsent(id, k -> new ArrayList<>()).add(row.substring(row.indexOf('|') + 1));
    }
    lastDecisions = decisions;
    return out;
  }

  /** The decisions (time, spans, root) of one trace id in the last listing read. */
  public List<String> decisions(String traceId) {
    return lastDecisions.getOrDefault(traceId, List.of());
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
      rows.add(t.path("traceId").asText() + "|" + t.path("decidedAt").asText() + " (" + t.path("spanCount").asInt()
          + " spans, root " + t.path("rootService").asText() + " " + t.path("rootPath").asText() + " "
          + t.path("rootStatus").asInt() + ")");
    }
  }

  /**
   * Polls until every id in {@code expected} is retained, or no new one was found for {@code
   * stalled} (counted from the first one found), or {@code cap} passed. A cluster that comes back from a fault with a backlog of
   * unconfirmed span batches decides it at its own pace (slowly on a loaded machine): waiting only
   * while that backlog still turns into retained traces tells "late" from "lost". The last listing.
   */
  public Map<String, Integer> await(
      Set<String> expected, long fromMillis, Duration stalled, Duration cap, Consumer<String> progress)
      throws InterruptedException {
    long start = System.currentTimeMillis();
    long lastProgress = start;
    long bestMissing = Long.MAX_VALUE;
    Map<String, Integer> last = Map.of();
    int round = 0;
    while (true) {
      if (lab.closing()) {
        progress.accept("the lab is shutting down: not looking up retained traces any more");
        return last;
      }
      try {
        last = retained(fromMillis, System.currentTimeMillis() + 60_000);
      } catch (IOException busy) {
        progress.accept("retained traces not readable yet: " + busy.getMessage());
      }
      Map<String, Integer> seen = last;
      long missing = expected.stream().filter(id -> !seen.containsKey(id)).count();
      long now = System.currentTimeMillis();
      if (missing < bestMissing) {
        bestMissing = missing;
        lastProgress = now;
      }
      if (missing == expected.size()) {
        // Nothing found yet: a loaded cluster may still be working through the backlog that
        // precedes the first decision, so only the cap ends this wait (seen at load 40: no
        // must-retain trace in the listing 60 s after the load stopped, all found later).
        lastProgress = now;
      }
      if (missing == 0) {
        progress.accept("all " + expected.size() + " must-retain requests found (" + (now - start) / 1000 + " s)");
        return last;
      }
      if (now - lastProgress > stalled.toMillis() || now - start > cap.toMillis()) {
        progress.accept("giving up on " + missing + " must-retain requests: "
            + (now - start > cap.toMillis() ? "waited " + cap.toSeconds() + " s in all" : "none found for " + stalled.toSeconds() + " s"));
        return last;
      }
      if (++round % 5 == 0) {
        // The last few by id: a late one can then be followed through the node logs.
        String which = missing > 3 ? ""
            : ": " + String.join(" ", expected.stream().filter(id -> !seen.containsKey(id)).sorted().toList());
        progress.accept(missing + " of " + expected.size() + " must-retain requests not found yet ("
            + (now - start) / 1000 + " s)" + which);
      }
      Thread.sleep(2000);
    }
  }
}
