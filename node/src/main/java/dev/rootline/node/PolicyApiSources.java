package dev.rootline.node;

import dev.rootline.actors.policy.PolicyClient;
import dev.rootline.api.PolicySources;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.concurrent.CompletionStage;

/** The API's {@code /policies}: the node's {@link PolicyClient} (sharded policy entities and index). */
final class PolicyApiSources implements PolicySources {

  private final PolicyClient client;

  PolicyApiSources(PolicyClient client) {
    this.client = client;
  }

  @Override
  public CompletionStage<PolicySet> policies() {
    return client.policies();
  }

  @Override
  public CompletionStage<ScopedPolicy> policy(PolicyScope scope) {
    return client.policy(scope);
  }

  @Override
  public CompletionStage<History> history(PolicyScope scope, int offset, int limit) {
    return client.history(scope, offset, limit).thenApply(h -> new History(h.revision(), h.oldestKept(), h.changes()));
  }

  @Override
  public CompletionStage<Change> put(PolicyScope scope, CapturePolicy overrides, String reason, String by) {
    return client.put(scope, overrides, reason, by).thenApply(a -> new Change(a.current(), a.change()));
  }

  @Override
  public CompletionStage<Change> patch(PolicyScope scope, CapturePolicy fields, String reason, String by) {
    return client.patch(scope, fields, reason, by).thenApply(a -> new Change(a.current(), a.change()));
  }

  @Override
  public CompletionStage<Change> revert(PolicyScope scope, long revision, String reason, String by) {
    return client.revert(scope, revision, reason, by).thenApply(a -> new Change(a.current(), a.change()));
  }
}
