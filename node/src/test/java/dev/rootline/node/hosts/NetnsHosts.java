package dev.rootline.node.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts as network namespaces for the tests, made and removed by the repository's own {@code
 * scripts/lib/netns-hosts.sh} (the library {@code ./rootline demo --hosts 3} uses): a bridge in a
 * namespace of its own, one namespace per host with 10.200.0.<octet>/24. {@link #close} stops
 * whatever still runs inside (by pid) and deletes every namespace of the prefix; it also runs
 * from a shutdown hook, so a test JVM that dies half-way leaves nothing behind.
 */
final class NetnsHosts implements AutoCloseable {

  private final String prefix;
  private final Path library;
  private final Thread hook;
  private boolean closed;

  /** {@code hosts} as "name:octet", e.g. "a:1". The prefix is derived from this JVM's pid. */
  NetnsHosts(String... hosts) throws IOException, InterruptedException {
    this.prefix = "rs" + (ProcessHandle.current().pid() % 1_000_000);
    this.library = repositoryRoot().resolve("scripts/lib/netns-hosts.sh");
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException("missing " + library);
    }
    this.hook = new Thread(this::closeQuietly, "netns-hosts-down");
    Runtime.getRuntime().addShutdownHook(hook);
    down(); // leftovers of an earlier JVM with the same pid
    List<String> args = new ArrayList<>(List.of("netns_hosts_up", prefix));
    args.addAll(List.of(hosts));
    run(args);
  }

  /** The namespace of a host, for {@code ip netns exec} and {@code /run/netns/...}. */
  String namespace(String host) {
    return prefix + "-" + host;
  }

  /** The file the kernel's namespace id is read from (rootline.bpf.target-netns-paths). */
  String namespaceFile(String host) {
    return "/run/netns/" + namespace(host);
  }

  /** A command run inside a host: {@code ip netns exec <ns> ...}. */
  List<String> inside(String host, String... command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
    c.addAll(List.of(command));
    return c;
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    down();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("removing network namespaces " + prefix + "-* failed: " + e);
    }
  }

  private void down() throws IOException, InterruptedException {
    run(List.of("netns_hosts_down", prefix));
  }

  private void run(List<String> call) throws IOException, InterruptedException {
    String script = "set -e; source \"$0\"; \"$@\"";
    List<String> command = new ArrayList<>(List.of("bash", "-c", script, library.toString()));
    command.addAll(call);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(call + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(call + " failed (" + p.exitValue() + "): " + out);
    }
  }

  /** The checkout: the node module's parent (Maven runs tests in the module directory). */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("rootline")) && Files.isDirectory(p.resolve("scripts"))) {
        return p;
      }
    }
    throw new IllegalStateException("no Rootline checkout above " + dir);
  }
}
