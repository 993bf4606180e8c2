package dev.rootline.chaos.faults;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Cassandra going away hard: inject kills its JVM with SIGKILL (no drain, no flush, commit log as
 * it lies), heal starts it again with the harness's restart action (e.g. {@code
 * CassandraLauncher::start} on the same data directory) and waits until it answers CQL.
 *
 * <p>The pid of the restarted process becomes the one the next inject kills, so one outage object
 * can be injected and healed repeatedly. Healing a Cassandra that is running (never killed, or
 * already restarted) only waits for CQL.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
public final class CassandraOutage implements Fault {

  /** Starts Cassandra again and returns the pid of the new JVM. */
  @FunctionalInterface
  public interface Restart {
    long start() throws Exception;
  }

  /** Default time heal waits for CQL after the restart (a cold start takes 20-60 s here). */
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);

  /** Default pause after CQL first answers, so schema and gossip settle before traffic. */
  public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(1);

  private final Restart restart;
  private final InetSocketAddress cql;
  private final Duration readyTimeout;
  private final Duration settle;
  private long pid;
  private boolean killed;
  private Duration lastRecovery = Duration.ZERO;

  public CassandraOutage(long pid, Restart restart, InetSocketAddress cql) {
    this(pid, restart, cql, DEFAULT_READY_TIMEOUT, DEFAULT_SETTLE);
  }

  /**
   * @param pid the Cassandra JVM to kill
   * @param restart starts it again (same data directory), returning the new pid
   * @param cql its native-protocol address, probed by heal
   * @param readyTimeout how long heal waits for CQL after the restart
   * @param settle how long heal waits after CQL first answers
   */
  public CassandraOutage(long pid, Restart restart, InetSocketAddress cql, Duration readyTimeout, Duration settle) {
    if (pid <= 1) {
      throw new IllegalArgumentException("Cassandra pid must be > 1, got " + pid);
    }
    if (restart == null || cql == null || readyTimeout == null || settle == null) {
      throw new IllegalArgumentException("restart, cql address, ready timeout and settle are required");
    }
    if (readyTimeout.isNegative() || readyTimeout.isZero() || settle.isNegative()) {
      throw new IllegalArgumentException("ready timeout must be positive and settle not negative");
    }
    this.pid = pid;
    this.restart = restart;
    this.cql = cql;
    this.readyTimeout = readyTimeout;
    this.settle = settle;
  }

  @Override
  public synchronized String name() {
    return "cassandra outage pid=" + pid + " cql=" + cql.getHostString() + ":" + cql.getPort();
  }

  /** The pid of the current (or last killed) Cassandra JVM. */
  public synchronized long pid() {
    return pid;
  }

  /** Whether Cassandra is killed and not yet restarted. */
  public synchronized boolean down() {
    return killed;
  }

  /** How long the last heal took from the restart until CQL answered (without the settle pause). */
  public synchronized Duration lastRecovery() {
    return lastRecovery;
  }

  /** Kills Cassandra with SIGKILL; a no-op while it is already down. */
  @Override
  public synchronized void inject() throws Exception {
    if (killed) {
      return;
    }
    ProcessFaults.kill9(pid);
    killed = true;
  }

  /**
   * Restarts Cassandra when it is down, then waits until it answers CQL.
   *
   * @throws IllegalStateException when it does not answer within the ready timeout, or the restart
   *     action fails (the outage then stays "down", so a later heal tries again)
   */
  @Override
  public synchronized void heal() throws Exception {
    long started = System.nanoTime();
    if (killed) {
      long newPid;
      try {
        newPid = restart.start();
      } catch (Exception e) {
        throw new IllegalStateException("restarting Cassandra after the outage failed: " + e.getMessage(), e);
      }
      if (newPid <= 1) {
        throw new IllegalStateException("the Cassandra restart action returned no valid pid: " + newPid);
      }
      pid = newPid;
      killed = false;
    }
    CqlProbe.await(cql, readyTimeout);
    lastRecovery = Duration.ofNanos(System.nanoTime() - started);
    Thread.sleep(settle.toMillis());
  }

  @Override
  public String toString() {
    return name();
  }
}
