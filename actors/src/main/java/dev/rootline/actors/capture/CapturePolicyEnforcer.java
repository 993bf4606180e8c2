package dev.rootline.actors.capture;

import dev.rootline.bpf.ProcessPolicy;
import dev.rootline.persistence.PathTemplate;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a node's capture in line with the capture policies, live, and writes to the kernel only
 * what changed.
 *
 * <ul>
 *   <li><b>Host</b> ({@code global} → {@code host:<this host>}): {@code capture} is the kernel's
 *       global on/off switch, {@code payloadBytes} its global payload size.
 *   <li><b>Service</b> ({@code service:<process:port>}): the kernel cannot tell services apart,
 *       only processes. The processes of a service are learnt from its server spans ({@link
 *       ServicePids}) or, for a service with a policy of its own whose processes no span has shown
 *       yet (a node started after the service was muted never sees one), from {@code /proc}
 *       ({@link ListeningProcesses}: the processes of that name listening on its port), looked
 *       for when a policy set names it and at each dead-process check until one is found. Each
 *       gets an entry in the kernel's per-process map: muted when none of its
 *       services is to be captured, or its own payload size (the largest its captured services
 *       ask for) when that differs from the global one. A process learnt after the policy
 *       arrived gets its entry at once. Muting a service mutes its process: the calls it makes as
 *       a client are not captured either. A process that serves a muted and a captured service
 *       stays captured; the muted service's spans are then dropped here.
 *   <li><b>Endpoint</b> ({@code endpoint:<service> <METHOD> <path>}): the kernel cannot see HTTP
 *       paths, so a server span of an endpoint whose {@code capture} is off is dropped here and
 *       counted ({@link CapturePolicyCounters#spansDroppedByPolicy}). An endpoint with capture
 *       on under a service with capture off keeps its process captured in the kernel.
 * </ul>
 *
 * <p>Spans of hosts other than the node's own (a node that names hosts by network namespace)
 * follow {@code host:<their host>} through their processes' entries. A host with capture off
 * is off for every process of the node: a service or endpoint scope cannot switch capture back
 * on below it. Endpoint payload sizes are not enforced (the kernel copies before it knows the
 * path).
 *
 * <p>Without a {@link CaptureControl} (a node whose capture is not the kernel's, tests) the same
 * decisions are enforced by dropping spans only. A kernel write that fails is counted and logged;
 * what is in force is then unchanged and the write is retried at the next policy change, process
 * learnt or dead-process check. Not thread-safe: the probe's thread only.
 */
public final class CapturePolicyEnforcer {

  private static final Logger log = LoggerFactory.getLogger(CapturePolicyEnforcer.class);

  private final CaptureControl control;
  private final String host;
  private final IntPredicate alive;
  private final ServicePids servicePids;
  /** Names the host of a process found in /proc, as the assembler names a span's. */
  private final HostNames hostNames;
  /** Finds the processes of services without spans; null: learn from spans only. */
  private final ListeningProcesses listening;
  /** Services looked for in /proc since the last dead-process check (one scan each per check). */
  private final Set<String> soughtSinceCheck = new HashSet<>();

  /** The policies in force; null until the first {@link #apply}. */
  private PolicySet policies;
  /** Effective policy of this node's host. */
  private CapturePolicy hostPolicy;
  /** Endpoint scope name → its own capture switch, for endpoints that set one. */
  private final Map<String, Boolean> endpointCapture = new HashMap<>();
  /** Services with at least one endpoint scope that turns capture on. */
  private final Set<String> servicesWithCapturedEndpoints = new HashSet<>();
  /** host + '\n' + service → effective capture; rebuilt lazily after each apply. */
  private final Map<String, Boolean> serviceCapture = new HashMap<>();

  /** host + '\n' + service → effective masking rules (bits); rebuilt lazily after each apply. */
  private final Map<String, Integer> serviceMasking = new HashMap<>();
  /** Endpoint scope name → its own masking rules (bits), for endpoints that set some. */
  private final Map<String, Integer> endpointMasking = new HashMap<>();
  /** Services with at least one endpoint scope of their own masking rules. */
  private final Set<String> servicesWithMaskingEndpoints = new HashSet<>();
  /**
   * Names a request's endpoint from its target masked with every rule (the form users see and
   * name endpoint scopes by); its counters are not reported.
   */
  private final PiiMasker endpointNamer = new PiiMasker();

  /** What each process should have (absent: nothing of its own). */
  private final Map<Integer, ProcessPolicy> desired = new HashMap<>();
  /** What the kernel has, as far as our writes succeeded. */
  private final Map<Integer, ProcessPolicy> applied = new HashMap<>();
  private Boolean appliedEnabled;
  private Integer appliedPayload;

  private long policySetsApplied;
  private long kernelUpdates;
  private long kernelUpdateFailures;
  private long spansDroppedByPolicy;
  private long pidsLearnt;
  private long pidsExpired;
  private long pidsUntracked;
  private long pidsFoundByProcScan;

  /**
   * @param control the kernel's switches, or null to enforce by dropping spans only
   * @param host this node's host name (the one {@code CaptureAssemblySettings.host()} stamps)
   */
  public CapturePolicyEnforcer(CaptureControl control, String host) {
    this(control, host, CapturePolicyEnforcer::processExists, new ServicePids());
  }

  /**
   * Also finding the processes of policed services in {@code /proc} before any span of them (only
   * with a {@code control}: without one, spans are all there is to enforce on).
   *
   * @param hostNames names a found process's host; the same rule the assembler stamps spans with
   * @param listening looks in the namespaces of this node's host(s) only
   */
  public CapturePolicyEnforcer(
      CaptureControl control, String host, HostNames hostNames, ListeningProcesses listening) {
    this(control, host, CapturePolicyEnforcer::processExists, new ServicePids(), hostNames, listening);
  }

  /** With a given liveness test of pids and a given table, learning from spans only (tests). */
  CapturePolicyEnforcer(CaptureControl control, String host, IntPredicate alive, ServicePids servicePids) {
    this(control, host, alive, servicePids, HostNames.fixed(host == null ? "" : host), null);
  }

  /** With a given liveness test, table and /proc (tests). */
  CapturePolicyEnforcer(
      CaptureControl control,
      String host,
      IntPredicate alive,
      ServicePids servicePids,
      HostNames hostNames,
      ListeningProcesses listening) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("the node's host name is required");
    }
    this.control = control;
    this.host = host;
    this.alive = Objects.requireNonNull(alive);
    this.servicePids = Objects.requireNonNull(servicePids);
    this.hostNames = Objects.requireNonNull(hostNames);
    this.listening = control == null ? null : listening;
  }

  /** Whether {@code /proc/<pid>} exists (the node runs in the host's pid namespace). */
  static boolean processExists(int pid) {
    return Files.exists(Path.of("/proc", Integer.toString(pid)));
  }

  /**
   * Puts {@code next} in force (merged with the set in force, per scope the higher revision
   * winning): the host's switches, then every known process's entry, each written only when it
   * differs from what the kernel has. Entries are written before capture is switched on, and
   * capture is switched off before anything else, so no window captures what the new policies
   * mute.
   */
  public void apply(PolicySet next) {
    Objects.requireNonNull(next, "policies");
    policySetsApplied++;
    // Per scope the higher revision wins: a set older than the one in force changes nothing.
    policies =
        policies == null
            ? next
            : new PolicySet(next.defaults(), policies.scopes()).withAll(next.scopes().values());
    hostPolicy = policies.effective(host, null, null);
    endpointCapture.clear();
    servicesWithCapturedEndpoints.clear();
    for (ScopedPolicy p : policies.ofKind(PolicyScope.Kind.ENDPOINT)) {
      Boolean capture = p.policy().capture();
      if (capture != null) {
        endpointCapture.put(p.scope().name(), capture);
        if (capture) {
          servicesWithCapturedEndpoints.add(serviceOfEndpoint(p.scope().name()));
        }
      }
    }
    serviceCapture.clear();
    serviceMasking.clear();
    endpointMasking.clear();
    servicesWithMaskingEndpoints.clear();
    for (ScopedPolicy p : policies.ofKind(PolicyScope.Kind.ENDPOINT)) {
      if (p.policy().maskingRules() != null) {
        endpointMasking.put(p.scope().name(), MaskingRule.maskOf(p.policy().maskingRules()));
        servicesWithMaskingEndpoints.add(serviceOfEndpoint(p.scope().name()));
      }
    }
    findUnknownProcesses();

    boolean enabled = !Boolean.FALSE.equals(hostPolicy.capture());
    if (!enabled) {
      setEnabled(false);
    }
    reconcileProcesses();
    setPayload(globalPayload());
    if (enabled) {
      setEnabled(true);
    }
  }

  /**
   * One span the assembler finished: learns its process (server spans) and says whether it is
   * delivered. A process learnt for the first time gets its kernel entry at once.
   *
   * @return false when a policy drops the span (counted)
   */
  public boolean admit(Span span) {
    if (span.kind() == Span.Kind.SERVER) {
      switch (servicePids.learn(span.host(), span.service(), span.pid())) {
        case NEW -> {
          pidsLearnt++;
          if (policies != null) {
            enforce(span.pid());
          }
        }
        case FULL -> pidsUntracked++;
        case KNOWN -> {}
      }
    }
    if (policies == null) {
      return true;
    }
    // A client span has no service scope of its own: it goes when its process is muted (the
    // kernel would not have seen it) or its host is off (spans still in flight at the switch).
    boolean keep =
        span.kind() == Span.Kind.SERVER
            ? serverSpanCaptured(span)
            : !isMuted(desired.get(span.pid())) && captured(span.host(), null);
    if (!keep) {
      spansDroppedByPolicy++;
    }
    return keep;
  }

  /**
   * The PII masking rules ({@link MaskingRule} bits) in force for one request: its endpoint's
   * own rules when that scope sets some, else its service's over its host's over the global ones.
   * Every rule before the first {@link #apply} (no policy = mask everything). The endpoint is
   * named from the target masked with every rule, as users see it.
   *
   * @param target the raw request target; used to name the endpoint only, never kept
   */
  public int maskingRules(String spanHost, String service, String method, String target) {
    if (policies == null) {
      return MaskingRule.ALL;
    }
    if (!endpointMasking.isEmpty() && servicesWithMaskingEndpoints.contains(service)) {
      String endpoint =
          service + " " + method + " " + PathTemplate.of(endpointNamer.mask(target, MaskingRule.ALL, false));
      Integer own = endpointMasking.get(endpoint);
      if (own != null) {
        return own;
      }
    }
    String key = spanHost + "\n" + (service == null ? "" : service);
    Integer rules = serviceMasking.get(key);
    if (rules == null) {
      rules = MaskingRule.maskOf(policies.effective(spanHost, service, null).maskingRules());
      // bounded by hosts x services seen (services are process:port or process, not paths)
      serviceMasking.put(key, rules);
    }
    return rules;
  }

  /**
   * Forgets processes that are gone (pids get reused) and clears their kernel entries; looks in
   * {@code /proc} for the processes of policed services that have none known (again, once per
   * check: a service started or restarted since); retries kernel writes that failed before.
   */
  public void checkProcesses() {
    List<Integer> gone = servicePids.prune(alive);
    pidsExpired += gone.size();
    for (int pid : gone) {
      desired.remove(pid);
    }
    soughtSinceCheck.clear();
    findUnknownProcesses();
    reconcileProcesses();
    if (policies != null) {
      setEnabled(!Boolean.FALSE.equals(hostPolicy.capture()));
      setPayload(globalPayload());
    }
  }

  /** The table of services and their processes (read-only use). */
  public ServicePids servicePids() {
    return servicePids;
  }

  /** What is in force now, the switches read back from the kernel when there is one. */
  public CapturePolicyState state() {
    boolean enabled;
    int payload;
    if (control != null) {
      enabled = control.captureEnabled();
      payload = control.payloadBytes();
    } else {
      enabled = hostPolicy == null || !Boolean.FALSE.equals(hostPolicy.capture());
      payload = hostPolicy == null ? -1 : globalPayload();
    }
    List<PolicedProcess> processes = new ArrayList<>();
    for (Map.Entry<Integer, ProcessPolicy> e : new TreeMap<>(desired).entrySet()) {
      int pid = e.getKey();
      ProcessPolicy p = e.getValue();
      processes.add(
          new PolicedProcess(
              pid,
              servicePids.hostOf(pid),
              List.copyOf(servicePids.servicesOf(pid)),
              p.muted(),
              p.payloadBytes(),
              control != null && p.equals(applied.get(pid))));
    }
    List<String> dropped =
        endpointCapture.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).sorted().toList();
    Map<String, Long> revisions = new TreeMap<>();
    if (policies != null) {
      policies.scopes().forEach((key, p) -> revisions.put(key, p.revision()));
    }
    return new CapturePolicyState(
        policies != null, control != null, host, enabled, payload, processes, dropped, revisions, counters());
  }

  public CapturePolicyCounters counters() {
    return new CapturePolicyCounters(
        policySetsApplied,
        kernelUpdates,
        kernelUpdateFailures,
        spansDroppedByPolicy,
        pidsLearnt,
        pidsExpired,
        pidsUntracked,
        servicePids.size(),
        desired.size(),
        pidsFoundByProcScan,
        listening == null ? 0 : listening.counters().scans(),
        listening == null ? 0 : listening.counters().entriesUnreadable() + listening.counters().entriesOverBounds());
  }

  // ---- processes of policed services, before any span of them ----

  /**
   * Looks in {@code /proc} for the processes of every service whose own policy needs a kernel
   * entry (capture off, or a payload size of its own) and that has no known process, each at most
   * once between two dead-process checks; learns what is found as a span would have taught it.
   * The kernel entries follow in the caller's reconcile.
   */
  private void findUnknownProcesses() {
    if (listening == null || policies == null) {
      return;
    }
    List<String> sought = new ArrayList<>();
    for (ScopedPolicy p : policies.ofKind(PolicyScope.Kind.SERVICE)) {
      CapturePolicy own = p.policy();
      String service = p.scope().name();
      boolean needsEntry = Boolean.FALSE.equals(own.capture()) || own.payloadBytes() != null;
      if (needsEntry
          && servicePids.pidsOf(service).isEmpty()
          && ListeningProcesses.resolvable(service)
          && soughtSinceCheck.add(service)) {
        sought.add(service);
      }
    }
    if (sought.isEmpty()) {
      return;
    }
    List<ListeningProcesses.Listener> found;
    try {
      found = listening.find(sought);
    } catch (RuntimeException e) { // it counts what it cannot read; anything else is a bug to see
      log.warn("Looking in /proc for the processes of {} failed", sought, e);
      return;
    }
    long before = pidsFoundByProcScan;
    for (ListeningProcesses.Listener l : found) {
      String pidHost = hostNames.hostOf(l.pid());
      for (String service : l.services()) {
        switch (servicePids.learn(pidHost, service, l.pid())) {
          case NEW -> pidsFoundByProcScan++;
          case FULL -> pidsUntracked++;
          case KNOWN -> {}
        }
      }
    }
    if (pidsFoundByProcScan > before) {
      log.info(
          "Capture policy: found {} process(es) of {} in /proc before any span of them",
          found.size(),
          sought);
    }
  }

  // ---- decisions ----

  private int globalPayload() {
    Integer bytes = hostPolicy.payloadBytes();
    return bytes != null ? bytes : policies.global().payloadBytes();
  }

  /** What process {@code pid} should have in the kernel, or null for nothing of its own. */
  private ProcessPolicy processPolicyOf(int pid) {
    String pidHost = servicePids.hostOf(pid);
    boolean captured = false;
    int payload = -1;
    for (String service : servicePids.servicesOf(pid)) {
      CapturePolicy p = policies.effective(pidHost, service, null);
      if (!Boolean.FALSE.equals(p.capture()) || servicesWithCapturedEndpoints.contains(service)) {
        captured = true;
        payload = Math.max(payload, p.payloadBytes() != null ? p.payloadBytes() : globalPayload());
      }
    }
    if (!captured) {
      return ProcessPolicy.mute();
    }
    return payload >= 0 && payload != globalPayload() ? ProcessPolicy.payload(payload) : null;
  }

  private boolean serverSpanCaptured(Span span) {
    if (!endpointCapture.isEmpty()) {
      Boolean own = endpointCapture.get(endpointOf(span));
      if (own != null) {
        return own;
      }
    }
    return captured(span.host(), span.service());
  }

  /** The effective capture switch of a host and service (null: the host's), cached until the next apply. */
  private boolean captured(String spanHost, String service) {
    String key = spanHost + "\n" + (service == null ? "" : service);
    Boolean captured = serviceCapture.get(key);
    if (captured == null) {
      captured = !Boolean.FALSE.equals(policies.effective(spanHost, service, null).capture());
      // bounded by hosts x services seen (services are process:port or process, not paths)
      serviceCapture.put(key, captured);
    }
    return captured;
  }

  /** The endpoint scope name of a span, as {@link PolicyScope#endpoint} builds it. */
  static String endpointOf(Span span) {
    return span.service() + " " + span.method() + " " + PathTemplate.of(span.path());
  }

  /** "service METHOD path" → service (a process name may hold spaces; method and path do not). */
  static String serviceOfEndpoint(String endpoint) {
    String trimmed = endpoint.trim();
    int pathStart = trimmed.lastIndexOf(' ');
    int methodStart = pathStart > 0 ? trimmed.lastIndexOf(' ', pathStart - 1) : -1;
    return methodStart > 0 ? trimmed.substring(0, methodStart).trim() : trimmed;
  }

  private static boolean isMuted(ProcessPolicy p) {
    return p != null && p.muted();
  }

  // ---- kernel writes, only of what changed ----

  private void reconcileProcesses() {
    if (policies != null) {
      for (int pid : List.copyOf(servicePids.pids())) {
        ProcessPolicy want = processPolicyOf(pid);
        if (want == null) {
          desired.remove(pid);
        } else {
          desired.put(pid, want);
        }
      }
    }
    for (int pid : List.copyOf(applied.keySet())) {
      if (!desired.containsKey(pid)) {
        write(pid, null);
      }
    }
    for (Map.Entry<Integer, ProcessPolicy> e : List.copyOf(desired.entrySet())) {
      write(e.getKey(), e.getValue());
    }
  }

  private void enforce(int pid) {
    ProcessPolicy want = processPolicyOf(pid);
    if (want == null) {
      desired.remove(pid);
    } else {
      desired.put(pid, want);
    }
    write(pid, want);
  }

  private void write(int pid, ProcessPolicy want) {
    if (control == null || Objects.equals(applied.get(pid), want)) {
      return;
    }
    if (want == null) {
      if (kernel(() -> control.clearProcessPolicy(pid), "clearing the policy of pid " + pid)) {
        applied.remove(pid);
      }
    } else if (kernel(() -> control.setProcessPolicy(pid, want), "setting " + want + " for pid " + pid)) {
      applied.put(pid, want);
    }
  }

  private void setEnabled(boolean enabled) {
    if (control == null || Boolean.valueOf(enabled).equals(appliedEnabled)) {
      return;
    }
    if (kernel(() -> control.setCaptureEnabled(enabled), "switching capture " + (enabled ? "on" : "off"))) {
      appliedEnabled = enabled;
    }
  }

  private void setPayload(int bytes) {
    if (control == null || Integer.valueOf(bytes).equals(appliedPayload)) {
      return;
    }
    if (kernel(() -> control.setPayloadBytes(bytes), "setting the payload size to " + bytes)) {
      appliedPayload = bytes;
    }
  }

  private boolean kernel(Runnable write, String what) {
    try {
      write.run();
      kernelUpdates++;
      return true;
    } catch (RuntimeException e) {
      kernelUpdateFailures++;
      if (Long.bitCount(kernelUpdateFailures) == 1) { // 1st, 2nd, 4th...: visible, not a flood
        log.warn("Capture policy: {} failed ({} failures so far)", what, kernelUpdateFailures, e);
      }
      return false;
    }
  }
}
