package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real /proc and /run/netns: a process started with {@code ip netns exec} is on the
 * host its namespace names, this JVM on the fallback host. Needs root and iproute2 (skipped
 * otherwise); creates one namespace of its own and deletes it.
 */
class NetnsHostNamesIT {

  private final String namespace = "rl-it-" + ProcessHandle.current().pid();
  private Process sleeper;

  @Test
  void a_process_in_a_named_namespace_is_on_that_host() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    assumeTrue(run("ip", "netns", "add", namespace) == 0, "ip netns add failed");
    sleeper = new ProcessBuilder("ip", "netns", "exec", namespace, "sleep", "30").start();
    long pid = sleeper.pid(); // ip netns exec execs: the pid is sleep's
    Path link = Path.of("/proc/" + pid + "/ns/net");
    long own = NetnsHostNames.namespaceInode(Path.of("/proc/self/ns/net"));
    for (int i = 0; i < 100 && NetnsHostNames.namespaceInode(link) == own; i++) {
      Thread.sleep(20); // until ip has joined the namespace and exec'd
    }

    HostNames names = NetnsHostNames.create("fallback");
    assertThat(names.hostOf((int) pid)).isEqualTo(namespace);
    assertThat(names.hostOf((int) ProcessHandle.current().pid())).isEqualTo("fallback");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (sleeper != null) {
      sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (Files.exists(Path.of("/run/netns", namespace))) {
      run("ip", "netns", "delete", namespace);
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
