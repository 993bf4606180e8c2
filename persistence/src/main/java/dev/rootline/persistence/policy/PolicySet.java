package dev.rootline.persistence.policy;

import dev.rootline.persistence.CborSerializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every scope's policy as one node knows it, over the configured defaults. Immutable; {@link
 * #with} keeps, per scope, the policy of the highest revision, so updates may arrive in any order
 * and more than once.
 *
 * @param defaults the configured global policy (every field set), under any global overrides
 * @param scopes scope key ({@link PolicyScope#key()}) to that scope's own policy
 */
public record PolicySet(CapturePolicy defaults, Map<String, ScopedPolicy> scopes) implements CborSerializable {

  public PolicySet {
    if (defaults == null || !defaults.complete()) {
      throw new IllegalArgumentException("the default policy sets every field: " + defaults);
    }
    scopes = Map.copyOf(scopes);
  }

  public static PolicySet of(CapturePolicy defaults) {
    return new PolicySet(defaults, Map.of());
  }

  /** This set with {@code p}, unless it already holds that scope at the same or a newer revision. */
  public PolicySet with(ScopedPolicy p) {
    ScopedPolicy known = scopes.get(p.scope().key());
    if (known != null && known.revision() >= p.revision()) {
      return this;
    }
    Map<String, ScopedPolicy> next = new HashMap<>(scopes);
    next.put(p.scope().key(), p);
    return new PolicySet(defaults, next);
  }

  public PolicySet withAll(Collection<ScopedPolicy> policies) {
    PolicySet out = this;
    for (ScopedPolicy p : policies) {
      out = out.with(p);
    }
    return out;
  }

  /** The revision this set holds for {@code scope}, 0 when none. */
  public long revision(PolicyScope scope) {
    ScopedPolicy p = scopes.get(scope.key());
    return p == null ? 0 : p.revision();
  }

  /** The scope's own overrides (EMPTY when it has none). */
  public CapturePolicy own(PolicyScope scope) {
    ScopedPolicy p = scopes.get(scope.key());
    return p == null ? CapturePolicy.EMPTY : p.policy();
  }

  /** Defaults under the global overrides: every field set. */
  public CapturePolicy global() {
    return own(PolicyScope.GLOBAL).over(defaults);
  }

  /**
   * The policy in force for a request: endpoint over service over host over global. Any argument
   * may be null (that level is skipped).
   *
   * @param endpoint operation "service METHOD path" as {@link PolicyScope#endpoint} builds it
   */
  public CapturePolicy effective(String host, String service, String endpoint) {
    CapturePolicy p = global();
    if (host != null) {
      p = own(PolicyScope.host(host)).over(p);
    }
    if (service != null) {
      p = own(PolicyScope.service(service)).over(p);
    }
    if (endpoint != null) {
      p = own(new PolicyScope(PolicyScope.Kind.ENDPOINT, endpoint)).over(p);
    }
    return p;
  }

  /** Every scope with overrides of one kind, e.g. all services (the capture's per-process map). */
  public List<ScopedPolicy> ofKind(PolicyScope.Kind kind) {
    return scopes.values().stream().filter(p -> p.scope().kind() == kind).toList();
  }
}
