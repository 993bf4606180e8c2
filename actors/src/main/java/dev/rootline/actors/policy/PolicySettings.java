package dev.rootline.actors.policy;

import com.typesafe.config.Config;
import dev.rootline.persistence.policy.CapturePolicy;
import java.time.Duration;

/**
 * Settings of capture policies: {@code rootline.policy} (defaults and their meaning in this
 * module's reference.conf).
 *
 * @param defaults the global policy before any change (every field set)
 * @param historySize changes kept per scope for {@code History} and {@code Revert} (the journal
 *     keeps all)
 * @param snapshotEvery snapshot a policy entity and the index after this many events
 * @param askTimeout how long a caller (the API, the tuner) waits for a policy entity's answer
 * @param indexAskTimeout how long one ask of the policy index waits
 * @param indexAttempts asks of the index per update or fetch before it counts as failed
 * @param indexRetryBackoff pause between two of those asks
 * @param resyncInterval how often a follower fetches the whole index (heals missed topic messages)
 * @param fetchRetry how soon a follower asks again after a failed fetch
 * @param expiryCheckInterval how often the index wakes scopes whose temporary change is due
 * @param maxReasonLength longest reason (characters) a change may carry
 */
public record PolicySettings(
    CapturePolicy defaults,
    int historySize,
    int snapshotEvery,
    Duration askTimeout,
    Duration indexAskTimeout,
    int indexAttempts,
    Duration indexRetryBackoff,
    Duration resyncInterval,
    Duration fetchRetry,
    Duration expiryCheckInterval,
    int maxReasonLength) {

  public static final String PATH = "rootline.policy";

  public PolicySettings {
    if (defaults == null || !defaults.complete() || !defaults.problems().isEmpty()) {
      throw new IllegalArgumentException(
          PATH + ".defaults must set every field to a valid value: "
              + (defaults == null ? "missing" : defaults.problems()));
    }
    atLeast1("history-size", historySize);
    atLeast1("snapshot-every", snapshotEvery);
    atLeast1("index-attempts", indexAttempts);
    atLeast1("max-reason-length", maxReasonLength);
    positive("ask-timeout", askTimeout);
    positive("index-ask-timeout", indexAskTimeout);
    positive("resync-interval", resyncInterval);
    positive("fetch-retry", fetchRetry);
    positive("expiry-check-interval", expiryCheckInterval);
    if (indexRetryBackoff == null || indexRetryBackoff.isNegative()) {
      throw new IllegalArgumentException("index-retry-backoff must not be negative: " + indexRetryBackoff);
    }
  }

  /** Reads {@code rootline.policy} from the whole config. */
  public static PolicySettings create(Config config) {
    Config c = config.getConfig(PATH);
    Config d = c.getConfig("defaults");
    CapturePolicy defaults =
        new CapturePolicy(
            d.getBoolean("capture"),
            d.getInt("payload-bytes"),
            d.getDouble("normal-share"),
            d.getDouble("anomaly-threshold"),
            d.getDuration("quiet-period").toMillis(),
            d.getStringList("masking-rules"),
            d.getStringList("muted-fingerprints"));
    return new PolicySettings(
        defaults,
        c.getInt("history-size"),
        c.getInt("snapshot-every"),
        c.getDuration("ask-timeout"),
        c.getDuration("index-ask-timeout"),
        c.getInt("index-attempts"),
        c.getDuration("index-retry-backoff"),
        c.getDuration("resync-interval"),
        c.getDuration("fetch-retry"),
        c.getDuration("expiry-check-interval"),
        c.getInt("max-reason-length"));
  }

  private static void atLeast1(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(key + " must be at least 1: " + value);
    }
  }

  private static void positive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(key + " must be positive: " + value);
    }
  }
}
