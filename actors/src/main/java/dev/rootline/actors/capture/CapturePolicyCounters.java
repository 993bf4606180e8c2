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
 * @param pidsUntracked server spans (or {@code /proc} finds) of new processes not tracked because {@link
 *     ServicePids#MAX_PIDS} are
 * @param pidsTracked processes tracked now
 * @param processesPoliced processes with a policy of their own now
 * @param pidsFoundByProcScan (process, service) pairs learnt from {@code /proc} (the processes of a
 *     policed service no span had shown yet, see {@link ListeningProcesses})
 * @param procScans {@code /proc} scans made for them
 * @param procEntriesSkipped entries those scans skipped: vanished or unreadable, or beyond the
 *     {@code proc-scan} bounds
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
    long processesPoliced,
    long pidsFoundByProcScan,
    long procScans,
    long procEntriesSkipped)
    implements CborSerializable {}
