package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootline.bpf.ProcessPolicy;
import dev.rootline.persistence.Span;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import dev.rootline.persistence.policy.ScopedPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The enforcer's decisions and its diffing: which kernel writes each policy change makes (and
 * that an unchanged policy makes none), which spans it drops. The kernel side is an in-memory
 * {@link CaptureControl} that records every write; {@code CapturePolicyIT} runs the same enforcer
 * against the real kernel program.
 */
class CapturePolicyEnforcerTest {

  private static final String HOST = "node-a";
  private static final CapturePolicy DEFAULTS =
      new CapturePolicy(true, 256, 0.05, 0.65, 2000L, List.of(), List.of());
  private static final PolicySet BASE = PolicySet.of(DEFAULTS);

  private final RecordingControl kernel = new RecordingControl();
  private final Set<Integer> dead = new HashSet<>();
  private final CapturePolicyEnforcer enforcer =
      new CapturePolicyEnforcer(kernel, HOST, pid -> !dead.contains(pid), new ServicePids());

  @Test
  void beforeAnyPolicyEverySpanPassesAndTheKernelIsLeftAlone() {
    assertThat(enforcer.admit(server("python3:8083", 100, "/a"))).isTrue();
    assertThat(enforcer.admit(client("python3", 100, "/b"))).isTrue();
    enforcer.checkProcesses();

    assertThat(kernel.writes).isEmpty();
    assertThat(enforcer.servicePids().pidsOf("python3:8083")).containsExactly(100);
    CapturePolicyState state = enforcer.state();
    assertThat(state.policiesReceived()).isFalse();
    assertThat(state.processes()).isEmpty();
    assertThat(state.counters().pidsLearnt()).isEqualTo(1);
  }

  @Test
  void theHostSwitchesFollowThisHostsPolicyAndAreWrittenOnlyWhenTheyChange() {
    enforcer.apply(BASE);
    assertThat(kernel.writes).containsExactly("payload 256", "enabled true");

    enforcer.apply(BASE);
    enforcer.checkProcesses();
    assertThat(kernel.writes).as("nothing changed, nothing written").hasSize(2);

    PolicySet otherHostOff = BASE.with(scoped(PolicyScope.host("node-b"), 1, capture(false)));
    enforcer.apply(otherHostOff);
    assertThat(kernel.writes).as("another host's policy is not ours").hasSize(2);

    PolicySet off = otherHostOff.with(scoped(PolicyScope.host(HOST), 1, new CapturePolicy(false, 512, null, null, null, null, null)));
    enforcer.apply(off);
    assertThat(kernel.writes.subList(2, kernel.writes.size())).containsExactly("enabled false", "payload 512");
    assertThat(kernel.enabled).isFalse();

    PolicySet globalPayload = off.with(scoped(PolicyScope.GLOBAL, 1, payload(128)))
        .with(scoped(PolicyScope.host(HOST), 2, CapturePolicy.EMPTY));
    enforcer.apply(globalPayload);
    assertThat(kernel.writes.subList(4, kernel.writes.size())).containsExactly("payload 128", "enabled true");

    // the set with host revision 1 (capture off) arrives again, late: revision 2 stays in force
    enforcer.apply(off);
    assertThat(kernel.writes).as("a late, older set changes nothing").hasSize(6);
    assertThat(kernel.enabled).isTrue();
    CapturePolicyState state = enforcer.state();
    assertThat(state.captureEnabled()).isTrue();
    assertThat(state.payloadBytes()).isEqualTo(128);
    assertThat(state.revisions()).containsEntry("host:" + HOST, 2L).containsEntry("global", 1L);
    assertThat(state.counters().kernelUpdates()).isEqualTo(6);
  }

  @Test
  void aMutedServiceMutesItsProcessesAndItsSpansUntilANewerRevisionLiftsIt() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/warm"));
    enforcer.admit(server("java:8082", 200, "/other"));
    kernel.writes.clear();

    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
    assertThat(kernel.writes).containsExactly("set 100 " + ProcessPolicy.mute());
    assertThat(kernel.processes).containsOnlyKeys(100);
    assertThat(enforcer.admit(server("python3:8083", 100, "/late"))).as("in flight at the switch").isFalse();
    assertThat(enforcer.admit(client("python3", 100, "/downstream"))).as("its client calls too").isFalse();
    assertThat(enforcer.admit(server("java:8082", 200, "/other"))).isTrue();
    assertThat(enforcer.counters().spansDroppedByPolicy()).isEqualTo(2);
    PolicedProcess policed = enforcer.state().processes().get(0);
    assertThat(policed).isEqualTo(new PolicedProcess(100, HOST, List.of("python3:8083"), true, -1, true));

    // an older revision (a re-sent set) changes nothing
    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(true))));
    assertThat(kernel.processes).containsOnlyKeys(100);

    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 2, capture(true))));
    assertThat(kernel.writes).containsExactly("set 100 " + ProcessPolicy.mute(), "clear 100");
    assertThat(kernel.processes).isEmpty();
    assertThat(enforcer.admit(server("python3:8083", 100, "/again"))).isTrue();
    assertThat(enforcer.state().processes()).isEmpty();
  }

  @Test
  void aProcessLearntAfterThePolicyGetsItAtOnce() {
    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
    kernel.writes.clear();

    assertThat(enforcer.admit(server("python3:8083", 300, "/first"))).isFalse();
    assertThat(kernel.writes).containsExactly("set 300 " + ProcessPolicy.mute());
    enforcer.admit(server("python3:8083", 301, "/worker"));
    assertThat(kernel.processes).containsOnlyKeys(300, 301);
    assertThat(enforcer.servicePids().pidsOf("python3:8083")).containsExactly(300, 301);
    enforcer.admit(server("python3:8083", 300, "/known"));
    assertThat(kernel.writes).as("a known process is not written again").hasSize(2);
  }

  @Test
  void aServicePayloadSizeBecomesAProcessEntryOnlyWhileItDiffersFromTheGlobalOne() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/a"));
    enforcer.admit(server("java:8082", 200, "/b"));
    kernel.writes.clear();

    PolicySet sized = BASE.with(scoped(PolicyScope.service("python3:8083"), 1, payload(64)));
    enforcer.apply(sized);
    assertThat(kernel.writes).containsExactly("set 100 " + ProcessPolicy.payload(64));

    enforcer.apply(sized.with(scoped(PolicyScope.GLOBAL, 1, payload(64))));
    assertThat(kernel.writes).as("equal to the global size now: cleared, then the global written")
        .containsExactly("set 100 " + ProcessPolicy.payload(64), "clear 100", "payload 64");

    enforcer.apply(sized.with(scoped(PolicyScope.GLOBAL, 2, payload(1024))));
    assertThat(kernel.writes.subList(3, kernel.writes.size()))
        .as("the entry is written before the global size changes")
        .containsExactly("set 100 " + ProcessPolicy.payload(64), "payload 1024");
    assertThat(kernel.processes).containsExactly(Map.entry(100, ProcessPolicy.payload(64)));
  }

  @Test
  void aProcessServingACapturedAndAMutedServiceStaysCapturedAndTheMutedOnesSpansAreDropped() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/a"));
    enforcer.admit(server("python3:8084", 100, "/b"));
    kernel.writes.clear();

    PolicySet set = BASE.with(scoped(PolicyScope.service("python3:8084"), 1, new CapturePolicy(false, 64, null, null, null, null, null)))
        .with(scoped(PolicyScope.service("python3:8083"), 1, payload(512)));
    enforcer.apply(set);
    assertThat(kernel.writes).as("the captured service's size, the muted one's ignored")
        .containsExactly("set 100 " + ProcessPolicy.payload(512));
    assertThat(enforcer.admit(server("python3:8083", 100, "/a"))).isTrue();
    assertThat(enforcer.admit(server("python3:8084", 100, "/b"))).isFalse();
    assertThat(enforcer.admit(client("python3", 100, "/c"))).isTrue();
  }

  @Test
  void endpointsWithCaptureOffAreDroppedInUserSpaceWhateverTheQueryString() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/warm"));
    kernel.writes.clear();
    PolicyScope health = PolicyScope.endpoint("python3:8083", "GET", "/health");

    enforcer.apply(BASE.with(scoped(health, 1, capture(false))));
    assertThat(kernel.writes).as("the kernel cannot see paths").isEmpty();
    assertThat(enforcer.admit(server("python3:8083", 100, "/health?probe=1"))).isFalse();
    assertThat(enforcer.admit(server("python3:8083", 100, "/health"))).isFalse();
    assertThat(enforcer.admit(server("python3:8083", 100, "/healthz"))).isTrue();
    assertThat(enforcer.admit(server("python3:8084", 101, "/health"))).isTrue();
    assertThat(enforcer.state().droppedEndpoints()).containsExactly("python3:8083 GET /health");
    assertThat(enforcer.counters().spansDroppedByPolicy()).isEqualTo(2);
  }

  @Test
  void anEndpointWithCaptureOnKeepsItsMutedServicesProcessCaptured() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/warm"));
    kernel.writes.clear();

    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false)))
        .with(scoped(PolicyScope.endpoint("python3:8083", "POST", "/checkout"), 1, capture(true))));
    assertThat(kernel.writes).isEmpty();
    assertThat(enforcer.admit(server("python3:8083", 100, "/checkout"))).as("GET is another endpoint").isFalse();
    Span post = new Span("0".repeat(32), "1".repeat(16), null, Span.Kind.SERVER, HOST, "python3:8083", 100, "POST",
        "/checkout", 200, 1, 2, 10, 10, "127.0.0.1:8083", "127.0.0.1:5000", "", "", null);
    assertThat(enforcer.admit(post)).isTrue();
  }

  @Test
  void processesOfAnotherHostFollowThatHostsPolicy() {
    enforcer.apply(BASE);
    Span elsewhere = new Span("0".repeat(32), "1".repeat(16), null, Span.Kind.SERVER, "lab-2", "python3:8083", 400, "GET",
        "/x", 200, 1, 2, 10, 10, "10.200.0.2:8083", "10.200.0.1:5000", "", "", null);
    enforcer.admit(elsewhere);
    enforcer.admit(server("python3:8083", 100, "/x"));
    kernel.writes.clear();

    enforcer.apply(BASE.with(scoped(PolicyScope.host("lab-2"), 1, capture(false))));
    assertThat(kernel.writes).containsExactly("set 400 " + ProcessPolicy.mute());
    assertThat(enforcer.admit(elsewhere)).isFalse();
    assertThat(enforcer.admit(server("python3:8083", 100, "/x"))).isTrue();
  }

  @Test
  void goneProcessesAreForgottenAndTheirEntriesCleared() {
    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
    enforcer.admit(server("python3:8083", 100, "/a"));
    enforcer.admit(server("python3:8083", 101, "/b"));
    kernel.writes.clear();

    dead.add(100);
    enforcer.checkProcesses();
    assertThat(kernel.writes).containsExactly("clear 100");
    assertThat(enforcer.servicePids().pidsOf("python3:8083")).containsExactly(101);
    assertThat(enforcer.counters().pidsExpired()).isEqualTo(1);
    assertThat(enforcer.counters().processesPoliced()).isEqualTo(1);
  }

  @Test
  void aFailedKernelWriteIsCountedAndRetriedLater() {
    enforcer.apply(BASE);
    enforcer.admit(server("python3:8083", 100, "/a"));
    kernel.failNextWrites = 1;

    enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
    assertThat(kernel.processes).isEmpty();
    assertThat(enforcer.counters().kernelUpdateFailures()).isEqualTo(1);
    assertThat(enforcer.state().processes()).singleElement().satisfies(p -> assertThat(p.inKernel()).isFalse());
    assertThat(enforcer.admit(server("python3:8083", 100, "/b"))).as("dropped in user space meanwhile").isFalse();

    enforcer.checkProcesses();
    assertThat(kernel.processes).containsExactly(Map.entry(100, ProcessPolicy.mute()));
    assertThat(enforcer.state().processes()).singleElement().satisfies(p -> assertThat(p.inKernel()).isTrue());
  }

  @Test
  void withoutAKernelThePoliciesAreEnforcedOnSpansOnly() {
    CapturePolicyEnforcer userSpaceOnly = new CapturePolicyEnforcer(null, HOST, pid -> true, new ServicePids());
    userSpaceOnly.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
    assertThat(userSpaceOnly.admit(server("python3:8083", 100, "/a"))).isFalse();
    assertThat(userSpaceOnly.admit(client("python3", 100, "/b"))).isFalse();
    assertThat(userSpaceOnly.admit(client("curl", 7, "/c"))).isTrue();
    CapturePolicyState state = userSpaceOnly.state();
    assertThat(state.kernelEnforced()).isFalse();
    assertThat(state.payloadBytes()).isEqualTo(256);
    assertThat(state.processes()).singleElement().satisfies(p -> {
      assertThat(p.muted()).isTrue();
      assertThat(p.inKernel()).isFalse();
    });
  }

  @Test
  void theServiceOfAnEndpointScopeMayHoldSpaces() {
    assertThat(CapturePolicyEnforcer.serviceOfEndpoint("python3:8083 GET /health")).isEqualTo("python3:8083");
    assertThat(CapturePolicyEnforcer.serviceOfEndpoint("Web Content:8080 POST /a")).isEqualTo("Web Content:8080");
    assertThat(CapturePolicyEnforcer.endpointOf(server("python3:8083", 1, "/x?y=1")))
        .isEqualTo(PolicyScope.endpoint("python3:8083", "GET", "/x?y=1").name());
  }

  @Test
  void servicePidsTrackProcessesPerServiceBoundedAndForgetReusedPids() {
    ServicePids pids = new ServicePids(2);
    assertThat(pids.learn("h", "a:1", 10)).isEqualTo(ServicePids.Learnt.NEW);
    assertThat(pids.learn("h", "a:1", 10)).isEqualTo(ServicePids.Learnt.KNOWN);
    assertThat(pids.learn("h", "a:2", 10)).isEqualTo(ServicePids.Learnt.NEW);
    assertThat(pids.learn("h", "b:1", 11)).isEqualTo(ServicePids.Learnt.NEW);
    assertThat(pids.learn("h", "c:1", 12)).isEqualTo(ServicePids.Learnt.FULL);
    assertThat(pids.servicesOf(10)).containsExactly("a:1", "a:2");
    assertThat(pids.learn("other", "d:1", 11)).as("the pid reused on another host").isEqualTo(ServicePids.Learnt.NEW);
    assertThat(pids.pidsOf("b:1")).isEmpty();
    assertThat(pids.hostOf(11)).isEqualTo("other");
    assertThat(pids.prune(pid -> pid != 10)).containsExactly(10);
    assertThat(pids.pidsOf("a:1")).isEmpty();
    assertThat(pids.size()).isEqualTo(1);
    assertThat(pids.learn("h", "x:1", 0)).as("no pid, nothing learnt").isEqualTo(ServicePids.Learnt.KNOWN);
  }

  // ---- processes found in /proc before any span of them ----

  private static final long NS = 4026531840L;

  /** An enforcer over a fixture /proc; pid 20 is on host "netns-b" (a node naming hosts by namespace). */
  private CapturePolicyEnforcer withProc(ProcFixture proc) {
    return new CapturePolicyEnforcer(
        kernel,
        HOST,
        pid -> !dead.contains(pid),
        new ServicePids(),
        pid -> pid == 20 ? "netns-b" : HOST,
        new ListeningProcesses(proc.root, true, 1000, 1000, 1000));
  }

  private static ProcFixture python(ProcFixture proc, int pid, int... ports) {
    proc.process(pid, "python3", NS);
    String[] lines = new String[ports.length];
    for (int i = 0; i < ports.length; i++) {
      lines[i] = ProcFixture.ipv4(i, ports[i], ListeningProcesses.TCP_LISTEN, pid * 100L + i);
      proc.socketFd(pid, 3 + i, pid * 100L + i);
    }
    return proc.tcp(pid, lines);
  }

  @Test
  void aServiceMutedBeforeAnySpanOfItIsFoundInProcAndMutedAtOnce() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rootline-proc-fixture");
    try {
      ProcFixture proc = python(new ProcFixture(dir, NS), 10, 8083);
      CapturePolicyEnforcer enforcer = withProc(proc);

      enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));

      assertThat(kernel.writes).containsExactly("set 10 " + ProcessPolicy.mute(), "payload 256", "enabled true");
      assertThat(enforcer.state().processes())
          .containsExactly(new PolicedProcess(10, HOST, List.of("python3:8083"), true, -1, true));
      assertThat(enforcer.admit(server("python3:8083", 10, "/in-flight"))).isFalse();
      CapturePolicyCounters counters = enforcer.counters();
      assertThat(counters.pidsFoundByProcScan()).isEqualTo(1);
      assertThat(counters.pidsLearnt()).as("the span taught nothing new").isZero();
      assertThat(counters.procScans()).isEqualTo(1);
      assertThat(counters.procEntriesSkipped()).isZero();

      enforcer.checkProcesses();
      assertThat(enforcer.counters().procScans()).as("a service with a known process is not sought").isEqualTo(1);
    } finally {
      ProcFixture.delete(dir);
    }
  }

  @Test
  void aServiceStartedAfterThePolicyIsFoundAtTheNextCheckAndSoughtAtMostOncePerCheck() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rootline-proc-fixture");
    try {
      ProcFixture proc = new ProcFixture(dir, NS);
      CapturePolicyEnforcer enforcer = withProc(proc);
      PolicySet muted = BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false)));
      enforcer.apply(muted);
      enforcer.apply(muted.with(scoped(PolicyScope.service("java:8082"), 1, payload(64))));
      assertThat(enforcer.counters().procScans()).as("python3:8083 once, then java:8082 alone").isEqualTo(2);
      enforcer.apply(muted);
      assertThat(enforcer.counters().procScans()).as("nothing new to seek until the check").isEqualTo(2);
      kernel.writes.clear();

      python(proc, 20, 8083); // started now, in another namespace (host)
      proc.process(30, "java", NS).tcp6(30, ProcFixture.ipv6(0, 8082, ListeningProcesses.TCP_LISTEN, 777)).socketFd(30, 9, 777);
      enforcer.checkProcesses();

      assertThat(enforcer.counters().procScans()).as("both sought in one scan").isEqualTo(3);
      assertThat(kernel.writes).containsExactlyInAnyOrder("set 20 " + ProcessPolicy.mute(), "set 30 " + ProcessPolicy.payload(64));
      assertThat(enforcer.state().processes()).containsExactly(
          new PolicedProcess(20, "netns-b", List.of("python3:8083"), true, -1, true),
          new PolicedProcess(30, HOST, List.of("java:8082"), false, 64, true));

      // python3 exits: forgotten, its entry cleared, and sought again (a restart is found)
      proc.remove(20);
      dead.add(20);
      enforcer.checkProcesses();
      assertThat(kernel.writes).endsWith("clear 20");
      assertThat(enforcer.counters().procScans()).isEqualTo(4);
      assertThat(enforcer.counters().pidsExpired()).isEqualTo(1);
      dead.remove(20);
      python(proc, 21, 8083);
      enforcer.checkProcesses();
      assertThat(kernel.processes).containsOnlyKeys(21, 30);
    } finally {
      ProcFixture.delete(dir);
    }
  }

  @Test
  void aProcessFoundServingAlsoAnotherServiceStaysCapturedAndCapturedServicesAreNotSought() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rootline-proc-fixture");
    try {
      ProcFixture proc = python(new ProcFixture(dir, NS), 10, 8083, 9000);
      CapturePolicyEnforcer enforcer = withProc(proc);

      enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:9000"), 1, capture(true)))
          .with(scoped(PolicyScope.service("python3"), 1, capture(false))));
      assertThat(enforcer.counters().procScans()).as("capture on needs no entry; no port, no scan").isZero();

      enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
      assertThat(enforcer.servicePids().servicesOf(10)).containsExactly("python3:8083", "python3:9000");
      assertThat(kernel.processes).as("python3:9000 is captured: the process is not muted").isEmpty();
      assertThat(enforcer.admit(server("python3:8083", 10, "/muted"))).isFalse();
      assertThat(enforcer.admit(server("python3:9000", 10, "/captured"))).isTrue();
    } finally {
      ProcFixture.delete(dir);
    }
  }

  @Test
  void withoutAKernelNothingIsSoughtInProc() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rootline-proc-fixture");
    try {
      ProcFixture proc = python(new ProcFixture(dir, NS), 10, 8083);
      CapturePolicyEnforcer enforcer =
          new CapturePolicyEnforcer(null, HOST, pid -> true, new ServicePids(), pid -> HOST,
              new ListeningProcesses(proc.root, true, 1000, 1000, 1000));
      enforcer.apply(BASE.with(scoped(PolicyScope.service("python3:8083"), 1, capture(false))));
      enforcer.checkProcesses();
      assertThat(enforcer.counters().procScans()).isZero();
      assertThat(enforcer.servicePids().size()).isZero();
    } finally {
      ProcFixture.delete(dir);
    }
  }

  // ---- builders ----

  private static CapturePolicy capture(boolean on) {
    return new CapturePolicy(on, null, null, null, null, null, null);
  }

  private static CapturePolicy payload(int bytes) {
    return new CapturePolicy(null, bytes, null, null, null, null, null);
  }

  private static ScopedPolicy scoped(PolicyScope scope, long revision, CapturePolicy policy) {
    return new ScopedPolicy(scope, revision, policy, 1000L * revision);
  }

  private static Span server(String service, int pid, String path) {
    return new Span("0".repeat(32), "1".repeat(16), null, Span.Kind.SERVER, HOST, service, pid, "GET", path, 200,
        1, 2, 10, 10, "127.0.0.1:8083", "127.0.0.1:50000", "", "", null);
  }

  private static Span client(String service, int pid, String path) {
    return new Span("0".repeat(32), "2".repeat(16), null, Span.Kind.CLIENT, HOST, service, pid, "GET", path, 200,
        1, 2, 10, 10, "127.0.0.1:50000", "127.0.0.1:8082", "", "", null);
  }

  /** The kernel's switches in memory; every write recorded in order. */
  private static final class RecordingControl implements CaptureControl {
    final List<String> writes = new ArrayList<>();
    final Map<Integer, ProcessPolicy> processes = new HashMap<>();
    boolean enabled = true;
    int payloadBytes = 1024;
    int failNextWrites;

    private void write(String what) {
      if (failNextWrites > 0) {
        failNextWrites--;
        throw new IllegalStateException("setting a process policy failed: Argument list too long");
      }
      writes.add(what);
    }

    @Override
    public void setCaptureEnabled(boolean on) {
      write("enabled " + on);
      enabled = on;
    }

    @Override
    public boolean captureEnabled() {
      return enabled;
    }

    @Override
    public void setPayloadBytes(int bytes) {
      write("payload " + bytes);
      payloadBytes = bytes;
    }

    @Override
    public int payloadBytes() {
      return payloadBytes;
    }

    @Override
    public void setProcessPolicy(int pid, ProcessPolicy policy) {
      write("set " + pid + " " + policy);
      processes.put(pid, policy);
    }

    @Override
    public void clearProcessPolicy(int pid) {
      write("clear " + pid);
      processes.remove(pid);
    }

    @Override
    public Optional<ProcessPolicy> processPolicy(int pid) {
      return Optional.ofNullable(processes.get(pid));
    }
  }
}
