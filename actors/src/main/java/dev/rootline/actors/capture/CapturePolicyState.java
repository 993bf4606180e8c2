package dev.rootline.actors.capture;

import dev.rootline.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * The capture policies in force on this node, for operators: what the kernel does now and why.
 *
 * @param policiesReceived false until the first {@code ApplyPolicies}: the capture then runs on
 *     its configuration alone ({@code rootline.bpf})
 * @param kernelEnforced whether this node controls a kernel capture; without one, service and
 *     endpoint policies are enforced by dropping spans only
 * @param host the node's own host, whose policy sets the two switches below
 * @param captureEnabled capture on for this host (read back from the kernel when there is one)
 * @param payloadBytes global payload size (read back from the kernel when there is one; -1 when
 *     neither a kernel nor a policy tells it)
 * @param processes processes with a policy of their own, by pid
 * @param droppedEndpoints endpoint scopes ("service METHOD path") whose spans are dropped
 * @param revisions revision in force per scope key ("global", "host:…", "service:…", …)
 * @param counters what enforcement did so far
 */
public record CapturePolicyState(
    boolean policiesReceived,
    boolean kernelEnforced,
    String host,
    boolean captureEnabled,
    int payloadBytes,
    List<PolicedProcess> processes,
    List<String> droppedEndpoints,
    Map<String, Long> revisions,
    CapturePolicyCounters counters)
    implements CborSerializable {

  public CapturePolicyState {
    processes = List.copyOf(processes);
    droppedEndpoints = List.copyOf(droppedEndpoints);
    revisions = Map.copyOf(revisions);
  }
}
