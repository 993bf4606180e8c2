package dev.rootline.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's three services (demo/, no tracing code in them) as real processes on free ports,
 * for tests. {@link #close()} stops each by its pid.
 */
public final class DemoServices implements AutoCloseable {
  private static final Path DEMO = Path.of("..", "demo").toAbsolutePath().normalize();

  public final int frontendPort;
  public final int catalogPort;
  public final int cartPort;
  private final List<Process> processes = new ArrayList<>();

  /** Starts catalog, cart (failing /checkout for {@code failureShare}) and frontend. */
  public DemoServices(double failureShare) throws IOException, InterruptedException {
    catalogPort = freePort();
    cartPort = freePort();
    frontendPort = freePort();
    try {
      start(
          "java",
          "-Dsun.net.httpserver.nodelay=true",
          DEMO.resolve("Catalog.java").toString(),
          String.valueOf(catalogPort),
          "0.0");
      start("python3", DEMO.resolve("cart.py").toString(), String.valueOf(cartPort), String.valueOf(failureShare));
      start(
          "python3",
          DEMO.resolve("frontend.py").toString(),
          String.valueOf(frontendPort),
          "http://127.0.0.1:" + catalogPort,
          "http://127.0.0.1:" + cartPort);
      for (int port : List.of(catalogPort, cartPort, frontendPort)) {
        awaitListening(port, Duration.ofSeconds(60));
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void start(String... command) throws IOException {
    processes.add(
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start());
  }

  private void awaitListening(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a demo service exited: " + p.info().commandLine().orElse("?"));
        }
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("nothing listens on port " + port + " after " + timeout);
  }

  /** The services' process ids (e.g. to capture only them). */
  public List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
