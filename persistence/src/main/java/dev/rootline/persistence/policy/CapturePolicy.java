package dev.rootline.persistence.policy;

import dev.rootline.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to capture and keep in one scope. Every field may be null: null means "as the wider scope
 * says" (the global policy has every field set). A PATCH is a CapturePolicy too: its non-null
 * fields replace the ones of the current policy ({@link #patchedWith}).
 *
 * @param capture false stops capture for the scope: in the kernel for hosts and services (their
 *     processes' events are dropped before they reach the ring), in user space for endpoints
 * @param payloadBytes bytes of each socket read/write copied for parsing and excerpts, 0 to {@link
 *     #MAX_PAYLOAD_BYTES} (the kernel program's compiled ceiling)
 * @param normalShare share of normal traces retained as a baseline, 0 to 1
 * @param anomalyThreshold anomaly score at or above which a trace is an outlier, 0 to 1 (higher:
 *     fewer anomalies)
 * @param quietPeriodMillis how long a trace waits without new spans before it is decided
 * @param maskingRules PII masking rules applied to excerpts on the host, from {@link
 *     #MASKING_RULES}
 * @param mutedFingerprints issue fingerprints whose anomalies are not retained any more (noise);
 *     failures are always retained
 */
public record CapturePolicy(
    Boolean capture,
    Integer payloadBytes,
    Double normalShare,
    Double anomalyThreshold,
    Long quietPeriodMillis,
    List<String> maskingRules,
    List<String> mutedFingerprints)
    implements CborSerializable {

  /** CAPTURE_MAX_PAYLOAD of bpf/src/main/c/capture_event.h. */
  public static final int MAX_PAYLOAD_BYTES = 4096;

  public static final long MIN_QUIET_MILLIS = 50;
  public static final long MAX_QUIET_MILLIS = 600_000;
  public static final int MAX_MUTED = 1000;

  public static final List<String> MASKING_RULES =
      List.of("authorization", "cookie", "api-key", "bearer-token", "password", "card-number", "email");

  public static final CapturePolicy EMPTY = new CapturePolicy(null, null, null, null, null, null, null);

  public CapturePolicy {
    maskingRules = maskingRules == null ? null : List.copyOf(new LinkedHashSet<>(maskingRules));
    mutedFingerprints = mutedFingerprints == null ? null : List.copyOf(new LinkedHashSet<>(mutedFingerprints));
  }

  /** Why this policy (or patch) cannot be accepted, one line each; empty when it can. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (payloadBytes != null && (payloadBytes < 0 || payloadBytes > MAX_PAYLOAD_BYTES)) {
      out.add("payloadBytes must be between 0 and " + MAX_PAYLOAD_BYTES + " (the kernel maximum), was " + payloadBytes);
    }
    if (normalShare != null && !(normalShare >= 0 && normalShare <= 1)) {
      out.add("normalShare must be between 0 and 1, was " + normalShare);
    }
    if (anomalyThreshold != null && !(anomalyThreshold >= 0 && anomalyThreshold <= 1)) {
      out.add("anomalyThreshold must be between 0 and 1, was " + anomalyThreshold);
    }
    if (quietPeriodMillis != null && (quietPeriodMillis < MIN_QUIET_MILLIS || quietPeriodMillis > MAX_QUIET_MILLIS)) {
      out.add("quietPeriodMillis must be between " + MIN_QUIET_MILLIS + " and " + MAX_QUIET_MILLIS + ", was "
          + quietPeriodMillis);
    }
    if (maskingRules != null) {
      for (String rule : maskingRules) {
        if (!MASKING_RULES.contains(rule)) {
          out.add("unknown masking rule \"" + rule + "\"; known: " + String.join(", ", MASKING_RULES));
        }
      }
    }
    if (mutedFingerprints != null) {
      if (mutedFingerprints.size() > MAX_MUTED) {
        out.add("at most " + MAX_MUTED + " muted fingerprints per scope");
      }
      for (String f : mutedFingerprints) {
        if (f == null || !f.matches("[0-9a-f]{16}")) {
          out.add("a muted fingerprint is an issue id (16 lowercase hex), was \"" + f + "\"");
        }
      }
    }
    return out;
  }

  /** True when every field is set (what the global policy must be). */
  public boolean complete() {
    return capture != null && payloadBytes != null && normalShare != null && anomalyThreshold != null
        && quietPeriodMillis != null && maskingRules != null && mutedFingerprints != null;
  }

  /** This policy with the non-null fields of {@code patch} in place of its own. */
  public CapturePolicy patchedWith(CapturePolicy patch) {
    return new CapturePolicy(
        patch.capture != null ? patch.capture : capture,
        patch.payloadBytes != null ? patch.payloadBytes : payloadBytes,
        patch.normalShare != null ? patch.normalShare : normalShare,
        patch.anomalyThreshold != null ? patch.anomalyThreshold : anomalyThreshold,
        patch.quietPeriodMillis != null ? patch.quietPeriodMillis : quietPeriodMillis,
        patch.maskingRules != null ? patch.maskingRules : maskingRules,
        patch.mutedFingerprints != null ? patch.mutedFingerprints : mutedFingerprints);
  }

  /**
   * This (narrower) policy over {@code wider}: a field of this one where set, else the wider one's.
   * Muted fingerprints add up (a fingerprint muted anywhere above stays muted).
   */
  public CapturePolicy over(CapturePolicy wider) {
    CapturePolicy merged = wider.patchedWith(this);
    if (mutedFingerprints != null && wider.mutedFingerprints != null) {
      Set<String> all = new LinkedHashSet<>(wider.mutedFingerprints);
      all.addAll(mutedFingerprints);
      merged = merged.patchedWith(new CapturePolicy(null, null, null, null, null, null, List.copyOf(all)));
    }
    return merged;
  }

  public boolean isEmpty() {
    return equals(EMPTY);
  }
}
