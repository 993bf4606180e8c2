package dev.rootline.actors.policy;

import dev.rootline.persistence.policy.PolicySet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The capture policies this node follows now, for code that reads them on every span rather than
 * being told of changes (the trace entities' quiet period). The node's {@link PolicyFollower}
 * sets it on every change; until then it holds the configured defaults.
 */
public final class CurrentPolicies implements Extension {

  public static final ExtensionId<CurrentPolicies> ID = new Id();

  private final AtomicReference<PolicySet> current;

  private CurrentPolicies(PolicySet defaults) {
    this.current = new AtomicReference<>(defaults);
  }

  public static CurrentPolicies get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public PolicySet get() {
    return current.get();
  }

  public void set(PolicySet policies) {
    current.set(policies);
  }

  private static final class Id extends ExtensionId<CurrentPolicies> {
    @Override
    public CurrentPolicies createExtension(ActorSystem<?> system) {
      return new CurrentPolicies(PolicySet.of(PolicySettings.create(system.settings().config()).defaults()));
    }
  }
}
