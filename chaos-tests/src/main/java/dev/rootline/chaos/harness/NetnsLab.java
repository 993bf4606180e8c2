package dev.rootline.chaos.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hosts as network namespaces behind a bridge, made and removed by the repository's own {@code
 * scripts/lib/netns-hosts.sh} (the library {@code ./rootline demo --hosts N} uses). Every address
 * lives inside the namespaces: the harness reaches the hosts with {@code ip netns exec}, never
 * through an address in the machine's own namespace. Processes started with {@link #run} are
 * recorded by the library and stopped by pid at {@link #close}, which also removes namespaces and
 * links; it runs from a shutdown hook too, and a run under the same name left over by a harness
 * that died is torn down before a new one is created, so running twice in a row works.
 */
public final class NetnsLab implements AutoCloseable {

  private final String run;
  private final int hosts;
  private final Path library;
  private final Thread hook;
  private boolean closed;
  /** Set first thing in {@link #close}: from then on nothing new is started in the hosts. */
  private volatile boolean closing;

  private NetnsLab(String run, int hosts, Path library) {
    this.run = run;
    this.hosts = hosts;
    this.library = library;
    this.hook = new Thread(this::closeQuietly, "netns-lab-teardown");
  }

  /** Creates {@code hosts} namespace hosts under the run name (letters, digits, '-'). */
  public static NetnsLab create(Path root, String run, int hosts, int subnet)
      throws IOException, InterruptedException {
    Path library = root.resolve("scripts/lib/netns-hosts.sh");
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException("missing " + library);
    }
    NetnsLab lab = new NetnsLab(run, hosts, library);
    Runtime.getRuntime().addShutdownHook(lab.hook);
    try {
      lab.bash("netns_hosts_create " + run + " " + hosts + " " + subnet);
    } catch (IOException | InterruptedException | RuntimeException e) {
      lab.closeQuietly();
      throw e;
    }
    return lab;
  }

  public int hosts() {
    return hosts;
  }

  /** The namespace of host i (1-based). */
  public String namespace(int host) throws IOException, InterruptedException {
    return attached("netns_host_ns " + host);
  }

  /** Host i's address on the bridge. */
  public String address(int host) throws IOException, InterruptedException {
    return attached("netns_host_addr " + host);
  }

  /**
   * Starts {@code command} inside host i, detached in a session of its own, output to {@code log};
   * the library records the pid for teardown. {@code env} entries are {@code NAME=value}.
   */
  public long run(int host, Path log, List<String> env, List<String> command)
      throws IOException, InterruptedException {
    if (closing) {
      // a harness thread still restoring members while a shutdown hook tears the lab down
      throw new IllegalStateException("the namespace hosts of run " + run + " are being torn down: not starting " + command.get(0));
    }
    StringBuilder script = new StringBuilder();
    for (String e : env) {
      int eq = e.indexOf('=');
      if (eq < 1 || !e.substring(0, eq).matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("not NAME=value: " + e);
      }
      script.append(e, 0, eq + 1).append(quote(e.substring(eq + 1))).append(' ');
    }
    script.append("netns_run ").append(host).append(' ').append(quote(log.toString()));
    for (String c : command) {
      script.append(' ').append(quote(c));
    }
    return Long.parseLong(attached(script.toString()));
  }

  /** Runs a short command inside host i and returns its stdout (exit code checked). */
  public String exec(int host, Duration timeout, String... command)
      throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
    c.addAll(List.of(command));
    return Commands.run(c, timeout);
  }

  /** The commands {@code ip netns exec} needs to run {@code command} in host i. */
  public List<String> inside(int host, List<String> command) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
    c.addAll(command);
    return c;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closing = true;
    closeOnce();
  }

  private synchronized void closeOnce() throws IOException, InterruptedException {
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
      System.err.println("tearing down the namespace hosts of run " + run + " failed: " + e);
    }
  }

  private String attached(String call) throws IOException, InterruptedException {
    return bash("netns_hosts_attach " + run + " && " + call).trim();
  }

  private String bash(String script) throws IOException, InterruptedException {
    return Commands.run(
        List.of("bash", "-c", "source \"$0\" && " + script, library.toString()),
        Duration.ofSeconds(120));
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
