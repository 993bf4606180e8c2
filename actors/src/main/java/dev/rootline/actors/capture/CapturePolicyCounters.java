package dev.rootline.actors.capture;

import dev.rootline.persistence.CborSerializable;

/**
 * What capture-policy enforcement did since the probe started (monotonic totals, except the
 * two "now" values). For {@code GET /api/v1/stats}.
 *
 * @param policySetsApplied {@code ApplyPolicies} messages handled
 * @param kernelUpdates writes to the kernel's switches and policy map that took effect
 * @param kernelUpdateFailures writes that failed (the policy map full, the session closed); they
 *     are retried at the next policy change or process learnt
 * @param spansDroppedByPolicy spans not delivered because their endpoint or service has capture
 *     off (the kernel cannot see HTTP paths), or because their process is muted
 * @param pidsLearnt (process, service) pairs learnt from server spans
 * @param pidsExpired processes forgotten because {@code /proc/<pid>} was gone
 * @param pidsUntracked server spans of new processes not tracked because {@link
 *     ServicePids#MAX_PIDS} are
 * @param pidsTracked processes tracked now
 * @param processesPoliced processes with a policy of their own now
 */
public record CapturePolicyCounters(
    long policySetsApplied,
    long kernelUpdates,
    long kernelUpdateFailures,
    long spansDroppedByPolicy,
    long pidsLearnt,
    long pidsExpired,
    long pidsUntracked,
    long pidsTracked,
    long processesPoliced)
    implements CborSerializable {}
