package dev.rootline.actors.feedback;

import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;

/**
 * A policy change the tuner asks for, as a PATCH of one scope.
 *
 * @param reason why, in words, for the policy history
 * @param expiresAtMillis when the change is reverted by itself; 0 when it stays
 */
public record PolicyProposal(PolicyScope scope, CapturePolicy patch, String reason, long expiresAtMillis) {}
