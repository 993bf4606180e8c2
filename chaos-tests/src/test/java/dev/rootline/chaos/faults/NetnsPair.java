package dev.rootline.chaos.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two throwaway network namespaces joined by a veth pair (10.123.0.1/24 and 10.123.0.2/24), each
 * with a TCP listener on port 7000, for testing network faults. The addresses exist only inside
 * these namespaces. {@link #close()} stops the listeners by pid and deletes both namespaces (which
 * deletes the veth pair too), also when the setup failed half way.
 */
// close() heals and may be interrupted while waiting for a command; that is intended.
@SuppressWarnings("try")
final class NetnsPair implements AutoCloseable {

  static final String ADDRESS_A = "10.123.0.1";
  static final String ADDRESS_B = "10.123.0.2";
  static final String PEERS = "10.123.0.0/24";
  static final int PORT = 7000;

  final String a;
  final String b;
  private final List<String> created = new ArrayList<>();
  private final List<Process> listeners = new ArrayList<>();

  NetnsPair() throws Exception {
    String unique = Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 1_000_000, 36);
    a = "rlfault-" + unique + "-a";
    b = "rlfault-" + unique + "-b";
    try {
      addNamespace(a);
      addNamespace(b);
      Commands.run("ip", "-n", a, "link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b", "netns", b);
      Commands.run("ip", "-n", a, "addr", "add", ADDRESS_A + "/24", "dev", "veth-a");
      Commands.run("ip", "-n", b, "addr", "add", ADDRESS_B + "/24", "dev", "veth-b");
      for (String ns : List.of(a, b)) {
        Commands.run("ip", "-n", ns, "link", "set", "lo", "up");
      }
      Commands.run("ip", "-n", a, "link", "set", "veth-a", "up");
      Commands.run("ip", "-n", b, "link", "set", "veth-b", "up");
      listen(a, ADDRESS_A);
      listen(b, ADDRESS_B);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!(canConnect(a, ADDRESS_B) && canConnect(b, ADDRESS_A))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the veth pair between " + a + " and " + b + " did not come up");
        }
        Thread.sleep(100);
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** Whether a TCP connect from namespace {@code from} to {@code address}:7000 succeeds within 1 s. */
  static boolean canConnect(String from, String address) throws Exception {
    Commands.Result result =
        Commands.exec(
            Duration.ofSeconds(5), null,
            List.of("ip", "netns", "exec", from, "nc", "-z", "-w", "1", address, Integer.toString(PORT)));
    return result.exitCode() == 0;
  }

  private void addNamespace(String ns) throws Exception {
    Commands.run("ip", "netns", "add", ns);
    created.add(ns);
  }

  private void listen(String ns, String address) throws Exception {
    Process listener =
        new ProcessBuilder("ip", "netns", "exec", ns, "nc", "-lk", address, Integer.toString(PORT))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    listeners.add(listener);
  }

  @Override
  public void close() throws Exception {
    for (Process listener : listeners) {
      listener.destroyForcibly();
      listener.waitFor(5, TimeUnit.SECONDS);
    }
    Exception failure = null;
    for (String ns : created) {
      Commands.Result result = Commands.exec(Commands.DEFAULT_TIMEOUT, null, List.of("ip", "netns", "del", ns));
      if (result.exitCode() != 0 && failure == null) {
        failure = new IllegalStateException("could not delete namespace " + ns + ": " + result.stderr());
      }
    }
    created.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
