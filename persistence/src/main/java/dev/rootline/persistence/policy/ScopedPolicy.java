package dev.rootline.persistence.policy;

import dev.rootline.persistence.CborSerializable;

/**
 * A scope's own policy (its overrides) at a revision: what travels to every node when it
 * changes. A node keeps, per scope, the one with the highest revision.
 */
public record ScopedPolicy(PolicyScope scope, long revision, CapturePolicy policy, long changedAtMillis)
    implements CborSerializable {}
