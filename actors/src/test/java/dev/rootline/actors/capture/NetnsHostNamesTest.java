package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over a fake /proc and /run/netns: links "net:[INODE]" whose inodes are those of the netns files. */
class NetnsHostNamesTest {

  @TempDir Path dir;
  private Path proc;
  private Path netns;
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void layout() throws IOException {
    proc = Files.createDirectories(dir.resolve("proc"));
    netns = Files.createDirectories(dir.resolve("netns"));
    process("self", 4026531840L); // the node's own namespace
  }

  @Test
  void names_a_process_by_its_named_namespace() throws IOException {
    process("100", namespace("rl-lab-h1"));
    process("200", namespace("rl-lab-h2"));
    NetnsHostNames names = names();

    assertThat(names.hostOf(100)).isEqualTo("rl-lab-h1");
    assertThat(names.hostOf(200)).isEqualTo("rl-lab-h2");
    assertThat(names.refreshes()).isEqualTo(1);
  }

  @Test
  void the_nodes_own_namespace_a_gone_process_and_an_unnamed_namespace_are_the_fallback_host()
      throws IOException {
    process("100", 4026531840L);
    process("300", 4026599999L);
    NetnsHostNames names = names();

    assertThat(names.hostOf(100)).isEqualTo("node-a");
    assertThat(names.hostOf(300)).isEqualTo("node-a");
    assertThat(names.hostOf(999)).isEqualTo("node-a");
  }

  @Test
  void a_namespace_created_later_is_found_on_a_miss_but_the_table_is_reread_at_most_once_a_second()
      throws IOException {
    NetnsHostNames names = names();
    // Made outside the netns directory and moved in later (a rename keeps the inode).
    Path outside = Files.createFile(dir.resolve("rl-lab-h3"));
    long inode = (Long) Files.getAttribute(outside, "unix:ino");
    process("400", inode);
    assertThat(names.hostOf(400)).isEqualTo("node-a");
    long before = names.refreshes();

    Files.move(outside, netns.resolve("rl-lab-h3"));
    assertThat(names.hostOf(400)).isEqualTo("node-a"); // within the refresh period: no re-read
    assertThat(names.refreshes()).isEqualTo(before);

    clock.addAndGet(NetnsHostNames.REFRESH_NANOS);
    assertThat(names.hostOf(400)).isEqualTo("rl-lab-h3");
  }

  @Test
  void a_reused_pid_is_looked_up_again_after_its_ttl() throws IOException {
    process("500", namespace("rl-lab-h1"));
    long h2 = namespace("rl-lab-h2");
    NetnsHostNames names = names();
    assertThat(names.hostOf(500)).isEqualTo("rl-lab-h1");

    Files.delete(proc.resolve("500/ns/net"));
    Files.createSymbolicLink(proc.resolve("500/ns/net"), Path.of("net:[" + h2 + "]"));
    assertThat(names.hostOf(500)).isEqualTo("rl-lab-h1"); // cached
    clock.addAndGet(NetnsHostNames.PID_TTL_NANOS + 1);
    assertThat(names.hostOf(500)).isEqualTo("rl-lab-h2");
  }

  @Test
  void the_real_proc_names_this_process_by_the_fallback() {
    // This JVM runs in the root namespace (or an unnamed one): its own pid is never a lab host.
    HostNames names = NetnsHostNames.create("here");
    assertThat(names.hostOf((int) ProcessHandle.current().pid())).isEqualTo("here");
    assertThat(NetnsHostNames.namespaceInode(Path.of("/proc/self/ns/net"))).isPositive();
  }

  private NetnsHostNames names() {
    return new NetnsHostNames(proc, netns, "node-a", clock::get);
  }

  private long namespace(String name) throws IOException {
    Path p = Files.createFile(netns.resolve(name));
    return (Long) Files.getAttribute(p, "unix:ino");
  }

  private void process(String pid, long inode) throws IOException {
    Path ns = Files.createDirectories(proc.resolve(pid).resolve("ns"));
    Files.createSymbolicLink(ns.resolve("net"), Path.of("net:[" + inode + "]"));
  }
}
