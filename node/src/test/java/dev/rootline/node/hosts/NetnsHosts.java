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
 * namespace of its own, hosts 1..n behind it. Names and addresses are asked from the library, not
 * repeated here. {@link #close} tears everything down (whatever still runs inside is stopped by
 * pid); it also runs from a shutdown hook, so a test JVM that dies half-way leaves nothing behind.
 */
final class NetnsHosts implements AutoCloseable {

  private final String run;
  private final Path library;
  private final Thread hook;
  private boolean closed;

  NetnsHosts(int count) throws IOException, InterruptedException {
    this.run = "it" + ProcessHandle.current().pid();
    this.library = repositoryRoot().resolve("scripts/lib/netns-hosts.sh");
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException("missing " + library);
    }
    this.hook = new Thread(this::closeQuietly, "netns-hosts-teardown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      // an earlier run's state under the same name is torn down by the library first
      bash("netns_hosts_create " + run + " " + count);
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  /** The namespace of host i (1-based), for {@code ip netns exec}. */
  String namespace(int host) throws IOException, InterruptedException {
    return attached("netns_host_ns " + host);
  }

  /** The file the kernel's namespace id is read from (rootline.bpf.target-netns-paths). */
  String namespaceFile(int host) throws IOException, InterruptedException {
    return "/run/netns/" + namespace(host);
  }

  /** Host i's address on the bridge. */
  String address(int host) throws IOException, InterruptedException {
    return attached("netns_host_addr " + host);
  }

  /** A command run inside host i: {@code ip netns exec <ns> ...}. */
  List<String> inside(int host, String... command) throws IOException, InterruptedException {
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
    bash("if netns_hosts_attach " + run + " 2>/dev/null; then netns_hosts_teardown; fi");
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
      System.err.println("tearing down network namespace hosts of run " + run + " failed: " + e);
    }
  }

  private String attached(String call) throws IOException, InterruptedException {
    return bash("netns_hosts_attach " + run + " && " + call).trim();
  }

  /** Runs {@code script} in bash with the library sourced; its stdout, or an exception. */
  private String bash(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", "source \"$0\" && " + script, library.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("'" + script + "' did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("'" + script + "' failed (" + p.exitValue() + "): " + out);
    }
    return out;
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
