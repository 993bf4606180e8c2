package dev.rootline.actors.capture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Which processes serve which service, learnt from the server spans the assembler emits (a
 * span's service is "process:port", its pid the tgid that answered). One process may serve
 * several services (several listening ports); a service may run in several processes (workers,
 * restarts). Bounded at {@link #MAX_PIDS} processes, the size of the kernel's policy map. Not
 * thread-safe: the probe's thread only.
 */
public final class ServicePids {

  /** The kernel's {@code process_policy} map holds this many processes. */
  public static final int MAX_PIDS = 16384;

  /** What {@link #learn} made of a span. */
  public enum Learnt {
    /** Known already. */
    KNOWN,
    /** A new process, or a new service of a known process. */
    NEW,
    /** A new process, not tracked because {@link #MAX_PIDS} are. */
    FULL
  }

  private record Process(String host, Set<String> services) {}

  private final int maxPids;
  private final Map<Integer, Process> byPid = new HashMap<>();
  private final Map<String, Set<Integer>> byService = new HashMap<>();

  public ServicePids() {
    this(MAX_PIDS);
  }

  ServicePids(int maxPids) {
    this.maxPids = maxPids;
  }

  /** Records that process {@code pid} on {@code host} served {@code service}. */
  public Learnt learn(String host, String service, int pid) {
    if (pid <= 0 || service == null || service.isEmpty()) {
      return Learnt.KNOWN;
    }
    Process p = byPid.get(pid);
    if (p == null) {
      if (byPid.size() >= maxPids) {
        return Learnt.FULL;
      }
      p = new Process(host, new LinkedHashSet<>());
      byPid.put(pid, p);
    } else if (host != null && !host.equals(p.host())) {
      // a pid seen on another host: the old process is gone and its pid was reused there
      forget(pid);
      return learn(host, service, pid);
    }
    if (!p.services().add(service)) {
      return Learnt.KNOWN;
    }
    byService.computeIfAbsent(service, s -> new TreeSet<>()).add(pid);
    return Learnt.NEW;
  }

  /** Forgets every process {@code alive} says is gone; returns their pids. */
  public List<Integer> prune(IntPredicate alive) {
    List<Integer> gone = new ArrayList<>();
    for (int pid : byPid.keySet()) {
      if (!alive.test(pid)) {
        gone.add(pid);
      }
    }
    for (int pid : gone) {
      forget(pid);
    }
    return gone;
  }

  public boolean contains(int pid) {
    return byPid.containsKey(pid);
  }

  /** Every tracked process. */
  public Set<Integer> pids() {
    return Collections.unmodifiableSet(byPid.keySet());
  }

  /** The processes of {@code service}, ascending; empty when none is known. */
  public Set<Integer> pidsOf(String service) {
    Set<Integer> pids = byService.get(service);
    return pids == null ? Set.of() : Collections.unmodifiableSet(pids);
  }

  /** The services of process {@code pid}, in the order learnt; empty when unknown. */
  public Set<String> servicesOf(int pid) {
    Process p = byPid.get(pid);
    return p == null ? Set.of() : Collections.unmodifiableSet(p.services());
  }

  /** The host process {@code pid} was seen on, or null when unknown. */
  public String hostOf(int pid) {
    Process p = byPid.get(pid);
    return p == null ? null : p.host();
  }

  public int size() {
    return byPid.size();
  }

  private void forget(int pid) {
    Process p = byPid.remove(pid);
    if (p == null) {
      return;
    }
    for (String service : p.services()) {
      Set<Integer> pids = byService.get(service);
      if (pids != null) {
        pids.remove(pid);
        if (pids.isEmpty()) {
          byService.remove(service);
        }
      }
    }
  }
}
