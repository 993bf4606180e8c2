package dev.rootline.persistence.policy;

import dev.rootline.persistence.CborSerializable;

/**
 * One change of a scope's policy: the event a {@code CapturePolicy} entity persists and one line
 * of the scope's history.
 *
 * @param scope the scope changed
 * @param revision 1 for the first change of the scope, then +1 (the entity's sequence number)
 * @param before the scope's own policy before (overrides only; EMPTY when it had none)
 * @param after the scope's own policy after
 * @param source {@link #MANUAL} (PUT/PATCH), {@link #FEEDBACK} (the policy tuner) or {@link
 *     #REVERT} (a change undone)
 * @param reason why, in words ("confirmed root cause java:8082 of issue 3fa1…: capture more there
 *     for 30 min")
 * @param by who asked for it (the API caller's name, or "policy-tuner")
 * @param atMillis when, epoch millis
 * @param cause what caused it: the feedback id for {@link #FEEDBACK}, the reverted revision for
 *     {@link #REVERT}, else null
 * @param expiresAtMillis for a temporary change, when the tuner reverts it; 0 when permanent
 */
public record PolicyChange(
    PolicyScope scope,
    long revision,
    CapturePolicy before,
    CapturePolicy after,
    String source,
    String reason,
    String by,
    long atMillis,
    String cause,
    long expiresAtMillis)
    implements CborSerializable {

  public static final String TAG = "policy";
  public static final String MANUAL = "manual";
  public static final String FEEDBACK = "feedback";
  public static final String REVERT = "revert";
}
