package dev.rootline.actors.policy;

import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Everything of capture policies one node runs, started in one call: the {@code
 * rootline-policies} topic, sharding of the CapturePolicy entities and of the PolicyIndex (hosted
 * on nodes with {@code role}, proxies elsewhere), this node's {@link PolicyFollower} and a {@link
 * PolicyClient} for the API and the tuner.
 *
 * @param client reads and changes policies (the API's PolicySources, the policy tuner)
 * @param follower this node's view; send it {@link PolicyFollower.Subscribe} to hear every set
 * @param updates the topic every change is published on
 */
public record NodePolicies(
    PolicyClient client, ActorRef<PolicyFollower.Command> follower, ActorRef<Topic.Command<ScopedPolicy>> updates) {

  /**
   * @param role the role hosting the entities (e.g. "trace"), null for any node
   * @param listeners called with every new set on the follower's thread (the probe, the scorer)
   */
  public static NodePolicies start(
      ActorSystem<?> system, PolicySettings settings, String role, List<Consumer<PolicySet>> listeners) {
    ActorRef<Topic.Command<ScopedPolicy>> updates =
        system.systemActorOf(PolicyUpdates.topic(), "policy-updates", Props.empty());
    PolicyIndexClient index = PolicyIndexClient.sharded(system, settings);
    ClusterSharding sharding = ClusterSharding.get(system);
    PolicyIndex.init(system, settings, scopeKey -> CapturePolicyEntity.wake(sharding, scopeKey), role);
    CapturePolicyEntity.init(system, settings, updates, index, role);
    ActorRef<PolicyFollower.Command> follower =
        system.systemActorOf(PolicyFollower.create(settings, updates, index::all, listeners), "policy-follower", Props.empty());
    return new NodePolicies(new PolicyClient(sharding, settings, index), follower, updates);
  }
}
