package dev.rootline.actors.policy;

import dev.rootline.persistence.CborSerializable;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyChange;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one CapturePolicy entity knows of its scope, rebuilt from its {@link PolicyChange} events.
 *
 * @param own the scope's own overrides (EMPTY when none)
 * @param revision the revision of the last change, 0 when never changed
 * @param changedAtMillis when the last change was made, 0 when never
 * @param recent the last {@code history-size} changes, oldest first
 * @param pending temporary changes (expiresAtMillis > 0) whose values are still in force and
 *     not reverted yet, oldest first
 */
public record CapturePolicyState(
    CapturePolicy own, long revision, long changedAtMillis, List<PolicyChange> recent, List<PolicyChange> pending)
    implements CborSerializable {

  public static final CapturePolicyState EMPTY = new CapturePolicyState(CapturePolicy.EMPTY, 0, 0, List.of(), List.of());

  public CapturePolicyState {
    recent = List.copyOf(recent);
    pending = List.copyOf(pending);
  }

  /** This state after {@code change} (the event handler). */
  public CapturePolicyState apply(PolicyChange change, int historySize) {
    List<PolicyChange> history = new ArrayList<>(recent);
    history.add(change);
    if (history.size() > historySize) {
      history = history.subList(history.size() - historySize, history.size());
    }
    CapturePolicy after = change.after();
    List<PolicyChange> stillPending = new ArrayList<>();
    for (PolicyChange p : pending) {
      boolean reverted = PolicyChange.REVERT.equals(change.source()) && String.valueOf(p.revision()).equals(change.cause());
      // A temporary change overwritten by later ones has nothing left to undo.
      if (!reverted && !undo(after, p).equals(after)) {
        stillPending.add(p);
      }
    }
    if (change.expiresAtMillis() > 0 && !change.after().equals(change.before())) {
      stillPending.add(change);
    }
    return new CapturePolicyState(after, change.revision(), change.atMillis(), history, stillPending);
  }

  public ScopedPolicy scoped(PolicyScope scope) {
    return new ScopedPolicy(scope, revision, own, changedAtMillis);
  }

  /** The kept change of that revision, if it is still among the recent ones. */
  public Optional<PolicyChange> change(long rev) {
    return recent.stream().filter(c -> c.revision() == rev).findFirst();
  }

  /** When the earliest pending temporary change expires, 0 when none is pending. */
  public long nextExpiryMillis() {
    return pending.stream().mapToLong(PolicyChange::expiresAtMillis).min().orElse(0);
  }

  /** The oldest revision still kept for history and revert, 0 when none. */
  public long oldestKept() {
    return recent.isEmpty() ? 0 : recent.get(0).revision();
  }

  /**
   * {@code current} with the fields {@code change} set put back as they were before it, where
   * they still hold the change's values: a field changed again since keeps its newer value.
   */
  public static CapturePolicy undo(CapturePolicy current, PolicyChange change) {
    CapturePolicy b = change.before();
    CapturePolicy a = change.after();
    return new CapturePolicy(
        field(current.capture(), b.capture(), a.capture()),
        field(current.payloadBytes(), b.payloadBytes(), a.payloadBytes()),
        field(current.normalShare(), b.normalShare(), a.normalShare()),
        field(current.anomalyThreshold(), b.anomalyThreshold(), a.anomalyThreshold()),
        field(current.quietPeriodMillis(), b.quietPeriodMillis(), a.quietPeriodMillis()),
        field(current.maskingRules(), b.maskingRules(), a.maskingRules()),
        field(current.mutedFingerprints(), b.mutedFingerprints(), a.mutedFingerprints()));
  }

  private static <T> T field(T current, T before, T after) {
    return !Objects.equals(before, after) && Objects.equals(current, after) ? before : current;
  }
}
