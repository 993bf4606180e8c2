package dev.rootline.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.Patterns;

/**
 * What {@code GET /api/v1/cluster} shows, from any node: members (address, roles, status, up
 * since), unreachable members, the leader and, per sharded entity type, how many shards and
 * entities each node hosts. Membership is this node's view of the gossip; shard counts are asked
 * of the sharding coordinator (which asks every region) and bounded by a timeout.
 *
 * <p>"Up since" is when this node saw the member become Up (its own start for itself); members
 * already Up when this node joined show {@code null}.
 */
public final class ClusterView {

  private final ActorSystem<?> system;
  private final List<EntityTypeKey<?>> entityTypes;
  private final Duration timeout;
  private final Map<Address, Instant> upSince = new ConcurrentHashMap<>();

  private ClusterView(ActorSystem<?> system, List<EntityTypeKey<?>> entityTypes, Duration timeout) {
    this.system = system;
    this.entityTypes = List.copyOf(entityTypes);
    this.timeout = timeout;
  }

  /** Starts following membership (call once the node is Up). */
  public static ClusterView start(
      ActorSystem<?> system, List<EntityTypeKey<?>> entityTypes, Duration timeout) {
    ClusterView view = new ClusterView(system, entityTypes, timeout);
    Cluster cluster = Cluster.get(system);
    view.upSince.put(cluster.selfMember().address(), Instant.now());
    var listener =
        system.systemActorOf(
            Behaviors.<ClusterEvent.MemberEvent>receiveMessage(
                event -> {
                  if (event instanceof ClusterEvent.MemberUp up) {
                    view.upSince.putIfAbsent(up.member().address(), Instant.now());
                  } else if (event instanceof ClusterEvent.MemberRemoved removed) {
                    view.upSince.remove(removed.member().address());
                  }
                  return Behaviors.same();
                }),
            "cluster-view-membership",
            Props.empty());
    cluster.subscriptions().tell(Subscribe.create(listener, ClusterEvent.MemberEvent.class));
    return view;
  }

  /** The whole view as JSON-ready maps; shard counts that did not come in time are left out. */
  public CompletionStage<Map<String, Object>> snapshot() {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("self", cluster.selfMember().address().toString());
    out.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    List<Object> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      Map<String, Object> member = member(m);
      member.put("reachable", !unreachable.contains(m));
      members.add(member);
    }
    out.put("members", members);
    List<Object> unreachableMembers = new ArrayList<>();
    unreachable.forEach(m -> unreachableMembers.add(member(m)));
    out.put("unreachable", unreachableMembers);

    Map<String, Object> shards = new TreeMap<>();
    CompletableFuture<?>[] asks = new CompletableFuture<?>[entityTypes.size()];
    for (int i = 0; i < entityTypes.size(); i++) {
      EntityTypeKey<?> key = entityTypes.get(i);
      asks[i] =
          shardStats(key)
              .handle(
                  (stats, failure) -> {
                    synchronized (shards) {
                      shards.put(
                          key.name(),
                          failure == null
                              ? stats
                              : Map.of("error", "no shard statistics: " + failure.getMessage()));
                    }
                    return null;
                  })
              .toCompletableFuture();
    }
    return CompletableFuture.allOf(asks)
        .thenApply(
            done -> {
              synchronized (shards) {
                out.put("shards", new TreeMap<>(shards));
              }
              return out;
            });
  }

  private Map<String, Object> member(Member m) {
    Map<String, Object> member = new LinkedHashMap<>();
    member.put("address", m.address().toString());
    member.put(
        "roles", m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
    member.put("status", m.status().toString());
    Instant since = upSince.get(m.address());
    member.put("upSince", since == null ? null : since.toString());
    return member;
  }

  /**
   * Per node address: shards and entities of one entity type. Asked of the classic region, which
   * is a proxy on nodes without the entity's role: the proxy forwards to the coordinator (typed
   * sharding's query answers nothing on proxy-only nodes).
   */
  private CompletionStage<Map<String, Object>> shardStats(EntityTypeKey<?> key) {
    org.apache.pekko.actor.ActorRef shardRegion;
    try {
      shardRegion =
          org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system))
              .shardRegion(key.name());
    } catch (IllegalStateException notStarted) {
      return CompletableFuture.failedFuture(notStarted);
    }
    return Patterns.ask(
            shardRegion,
            new ShardRegion.GetClusterShardingStats(
                scala.concurrent.duration.FiniteDuration.fromNanos(timeout.toNanos())),
            timeout.plusSeconds(1))
        .thenApply(answer -> (ShardRegion.ClusterShardingStats) answer)
        .thenApply(
            stats -> {
              Map<String, Object> perNode = new TreeMap<>();
              stats
                  .getRegions()
                  .forEach(
                      (address, region) -> {
                        int entities = 0;
                        for (Object n : region.getStats().values()) {
                          entities += ((Number) n).intValue();
                        }
                        Map<String, Object> counts = new LinkedHashMap<>();
                        counts.put("shards", region.getStats().size());
                        counts.put("entities", entities);
                        if (!region.getFailed().isEmpty()) {
                          counts.put("unansweredShards", region.getFailed().size());
                        }
                        perNode.put(address.toString(), counts);
                      });
              return perNode;
            });
  }
}
