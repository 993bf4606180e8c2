package dev.rootline.chaos.faults;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Remembers the faults a scenario injected and heals all of them, newest first, when the scope
 * closes, and also when the JVM is stopped (Ctrl-C, SIGTERM) before it could, so a failed or
 * interrupted run leaves no partition, loss table or stopped process behind.
 *
 * <p>Every fault is healed even when an earlier heal throws; the first failure is rethrown with the
 * others attached as suppressed exceptions.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
public final class FaultScope implements AutoCloseable {

  private final Deque<Fault> injected = new ArrayDeque<>();
  private final Consumer<String> log;
  private final Thread shutdownHook;
  private boolean closed;

  public FaultScope() {
    this(message -> System.err.println("[faults] " + message));
  }

  /** @param log receives one line per inject and heal, and per failed heal */
  public FaultScope(Consumer<String> log) {
    this.log = log;
    this.shutdownHook = new Thread(this::healOnShutdown, "fault-scope-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Injects {@code fault} and remembers it for healing. When inject throws, the fault is healed at
   * once (it may be half applied) and the exception rethrown.
   */
  public synchronized <F extends Fault> F inject(F fault) throws Exception {
    if (closed) {
      throw new IllegalStateException("fault scope is closed; cannot inject " + fault.name());
    }
    injected.push(fault);
    log.accept("inject " + fault.name());
    try {
      fault.inject();
    } catch (Exception e) {
      injected.remove(fault);
      try {
        fault.heal();
      } catch (Exception healFailure) {
        e.addSuppressed(healFailure);
      }
      throw e;
    }
    return fault;
  }

  /** Heals {@code fault} now and forgets it; a fault this scope does not hold is healed anyway. */
  public synchronized void heal(Fault fault) throws Exception {
    injected.remove(fault);
    log.accept("heal " + fault.name());
    fault.heal();
  }

  /** The faults injected and not yet healed, newest first. */
  public synchronized List<Fault> active() {
    return List.copyOf(injected);
  }

  /** Heals every remembered fault, newest first. Idempotent. */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook heals
    }
    Exception failure = healAll();
    if (failure != null) {
      throw failure;
    }
  }

  private synchronized Exception healAll() {
    List<Exception> failures = new ArrayList<>();
    while (!injected.isEmpty()) {
      Fault fault = injected.pop();
      log.accept("heal " + fault.name());
      try {
        fault.heal();
      } catch (Exception e) {
        log.accept("heal failed for " + fault.name() + ": " + e.getMessage());
        failures.add(e);
      }
    }
    if (failures.isEmpty()) {
      return null;
    }
    Exception first = failures.get(0);
    failures.subList(1, failures.size()).forEach(first::addSuppressed);
    return first;
  }

  private void healOnShutdown() {
    healAll();
  }
}
