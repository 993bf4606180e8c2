package dev.rootline.chaos.faults;

/**
 * One fault a chaos scenario switches on and off.
 *
 * <p>Both directions are idempotent: injecting an injected fault re-applies it without stacking,
 * healing a healed (or never injected) fault does nothing. {@link #close()} heals, so a fault in a
 * try-with-resources block is healed even when the scenario throws.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
public interface Fault extends AutoCloseable {

  /** A short human-readable description, e.g. {@code "partition ns=host2 peers=10.200.0.0/24"}. */
  String name();

  /** Applies the fault; afterwards it is in effect. Applying it again replaces, never stacks. */
  void inject() throws Exception;

  /** Removes the fault; a no-op when it is not in effect. */
  void heal() throws Exception;

  /** Heals: a fault leaves nothing behind when its scope ends. */
  @Override
  default void close() throws Exception {
    heal();
  }
}
