package dev.rootline.node.imports;

import dev.rootline.actors.issue.IssueEntity;
import dev.rootline.persistence.IssueDetail;
import dev.rootline.persistence.readside.CassandraIssueQueries;
import dev.rootline.persistence.readside.CassandraTraceQueries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Waits until the read side (what the API reads) shows what the import persisted: every retained
 * trace in the trace tables, and for every issue touched at least as many occurrences as its
 * entity holds. The projections follow the journal a few seconds behind (eventual-consistency
 * delay, polling), so this polls.
 */
final class ReadSideCatchUp {

  private static final Duration POLL = Duration.ofSeconds(1);
  private static final int BATCH = 64;

  private final ActorSystem<?> system;
  private final CassandraIssueQueries issueQueries;
  private final CassandraTraceQueries traceQueries;

  ReadSideCatchUp(ActorSystem<?> system) {
    this.system = system;
    this.issueQueries = CassandraIssueQueries.create(system);
    this.traceQueries = CassandraTraceQueries.create(system);
  }

  /**
   * @return the issues as the read side shows them once caught up
   * @throws IllegalStateException when the read side is still behind after {@code timeout}
   */
  Map<String, IssueDetail> await(Collection<String> traceIds, Collection<String> issueIds,
      Duration timeout, Consumer<String> progress) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> expected = new HashMap<>();
    for (String id : issueIds) {
      IssueEntity.Current current = ClusterSharding.get(system)
          .entityRefFor(IssueEntity.ENTITY_KEY, id)
          .<IssueEntity.Current>ask(IssueEntity.Get::new, Duration.ofSeconds(30))
          .toCompletableFuture().get(35, TimeUnit.SECONDS);
      expected.put(id, current.summary() == null ? 0 : current.summary().occurrences());
    }
    Set<String> tracesMissing = new LinkedHashSet<>(traceIds);
    Map<String, IssueDetail> issues = new HashMap<>();
    long lastReport = 0;
    while (true) {
      for (List<String> batch : batches(tracesMissing)) {
        List<CompletableFuture<Boolean>> found = new ArrayList<>();
        for (String id : batch) {
          found.add(traceQueries.get(id).thenApply(Optional::isPresent).toCompletableFuture());
        }
        for (int i = 0; i < batch.size(); i++) {
          if (found.get(i).get(30, TimeUnit.SECONDS)) {
            tracesMissing.remove(batch.get(i));
          }
        }
      }
      for (Map.Entry<String, Long> e : expected.entrySet()) {
        IssueDetail known = issues.get(e.getKey());
        if (known == null || known.summary().occurrences() < e.getValue()) {
          issueQueries.get(e.getKey()).toCompletableFuture().get(30, TimeUnit.SECONDS)
              .ifPresent(d -> issues.put(e.getKey(), d));
        }
      }
      long issuesBehind = expected.entrySet().stream()
          .filter(e -> !issues.containsKey(e.getKey())
              || issues.get(e.getKey()).summary().occurrences() < e.getValue())
          .count();
      if (tracesMissing.isEmpty() && issuesBehind == 0) {
        return issues;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(String.format(
            "the read side is still behind after %d s: %d retained traces and %d issues not"
                + " projected yet (the projections keep going when the node runs next)",
            timeout.toSeconds(), tracesMissing.size(), issuesBehind));
      }
      if (System.nanoTime() - lastReport > 5_000_000_000L) {
        lastReport = System.nanoTime();
        progress.accept(String.format(
            "waiting for the read side: %d retained traces and %d issues not projected yet",
            tracesMissing.size(), issuesBehind));
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static List<List<String>> batches(Set<String> ids) {
    List<List<String>> out = new ArrayList<>();
    List<String> all = new ArrayList<>(ids);
    for (int i = 0; i < all.size(); i += BATCH) {
      out.add(all.subList(i, Math.min(all.size(), i + BATCH)));
    }
    return out;
  }
}
