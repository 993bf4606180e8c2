package dev.rootline.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
// Runs with -Pchaos only: "a failed upstream connect is counted" timed out once (15 s) in a module run;
// kept out of ./rootline test until that is understood.
class LatencyProxyIT {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private EchoServer echo;
  private LatencyProxy proxy;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @BeforeEach
  void start() throws IOException {
    echo = new EchoServer();
    proxy = new LatencyProxy(new InetSocketAddress(LOOPBACK, 0), echo.address());
  }

  @AfterEach
  void stop() throws IOException {
    pool.shutdownNow();
    if (proxy != null) {
      proxy.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  @Test
  void forwardsBytesBothWaysInOrderOnManyConnectionsWhileTheDelayChanges() throws Exception {
    List<Future<byte[][]>> transfers = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      int seed = i;
      transfers.add(pool.submit(() -> roundTrip(seed, 512 * 1024)));
    }
    // Switch the delay while data flows: order must survive the change in both directions.
    Thread.sleep(20);
    proxy.setDelay(Duration.ofMillis(30));
    Thread.sleep(60);
    proxy.setDelay(Duration.ZERO);
    for (Future<byte[][]> transfer : transfers) {
      byte[][] sentAndReceived = transfer.get(25, TimeUnit.SECONDS);
      assertThat(sentAndReceived[1]).isEqualTo(sentAndReceived[0]);
    }
    assertThat(proxy.connectionsAccepted()).isEqualTo(12);
    assertThat(proxy.bytesForwarded()).isEqualTo(2L * 12 * 512 * 1024);
    awaitTrue(() -> proxy.openConnections() == 0, "all connections closed after both sides finished");
  }

  @Test
  void addsTheDelayToEachDirectionAndHealsBackToNone() throws Exception {
    try (Socket socket = connect()) {
      Duration base = medianRoundTrip(socket, 5);
      Fault latency = proxy.latencyFault(Duration.ofMillis(200));
      latency.inject();
      Duration delayed = medianRoundTrip(socket, 3);
      latency.close();
      Duration healed = medianRoundTrip(socket, 5);
      long addedMillis = delayed.minus(base).toMillis();
      System.out.printf(
          "round trip via proxy: %.2f ms without delay, %.2f ms at 200 ms each way, %.2f ms after heal%n",
          base.toNanos() / 1e6, delayed.toNanos() / 1e6, healed.toNanos() / 1e6);
      // 200 ms one way in each direction: a round trip gains about 400 ms.
      assertThat(addedMillis).as("added round-trip time, base %s", base).isBetween(380L, 1_400L);
      assertThat(healed.toMillis()).as("round trip after heal").isLessThan(150L);
      assertThat(proxy.delay()).isEqualTo(Duration.ZERO);
    }
  }

  @Test
  void survivesAClientClosingMidStream() throws Exception {
    proxy.setDelay(Duration.ofMillis(50));
    // Upload more than is in flight, then close abruptly (RST) while the proxy still holds bytes.
    try (Socket rude = connect()) {
      rude.setSoLinger(true, 0);
      OutputStream out = rude.getOutputStream();
      out.write(new byte[256 * 1024]);
      rude.getInputStream().read(new byte[1024]);
    }
    // A downloader that stops reading half way and closes normally.
    try (Socket quitter = connect()) {
      quitter.getOutputStream().write(new byte[64 * 1024]);
      quitter.getInputStream().readNBytes(1000);
    }
    awaitTrue(() -> proxy.openConnections() == 0, "proxy dropped the closed connections");
    awaitTrue(() -> echo.openConnections() == 0, "target side closed too");
    proxy.setDelay(Duration.ZERO);
    byte[][] sentAndReceived = roundTrip(42, 100_000);
    assertThat(sentAndReceived[1]).isEqualTo(sentAndReceived[0]);
  }

  @Test
  void forwardsAHalfCloseAndClosesWhenTheTargetIsDown() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("last words".getBytes());
      socket.shutdownOutput();
      // The echo server sees end of stream, echoes and closes: we read everything, then EOF.
      assertThat(new String(socket.getInputStream().readAllBytes())).isEqualTo("last words");
    }
    echo.close();
    try (Socket socket = connect()) {
      socket.setSoTimeout(5_000);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    } catch (IOException reset) {
      // a reset is as good as an EOF: the proxy did not keep a connection to nowhere open
    }
    awaitTrue(() -> proxy.connectionsFailed() == 1, "failed upstream connect counted");
  }

  @Test
  void closeStopsListeningAndResetsOpenConnections() throws Exception {
    Socket open = connect();
    try {
      assertThat(echoOnce(open, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
      InetSocketAddress address = proxy.localAddress();
      proxy.close();
      proxy.close();
      assertThat(proxy.isClosed()).isTrue();
      open.setSoTimeout(5_000);
      assertThatThrownBy(() -> {
            open.getOutputStream().write(1);
            if (open.getInputStream().read() < 0) {
              throw new IOException("closed");
            }
          })
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close())
          .isInstanceOf(IOException.class);
    } finally {
      open.close();
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> proxy.setDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> proxy.latencyFault(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LatencyProxy(proxy.localAddress(), echo.address()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot listen on");
  }

  // --- helpers -------------------------------------------------------------------------------

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(proxy.localAddress(), 5_000);
    return socket;
  }

  /** Sends {@code size} random bytes while reading the echo concurrently; returns {sent, received}. */
  private byte[][] roundTrip(int seed, int size) throws Exception {
    byte[] sent = new byte[size];
    new Random(seed).nextBytes(sent);
    try (Socket socket = connect()) {
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = socket.getOutputStream();
                  for (int offset = 0; offset < size; offset += 7_000) {
                    out.write(sent, offset, Math.min(7_000, size - offset));
                  }
                  socket.shutdownOutput();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              pool);
      byte[] received = socket.getInputStream().readAllBytes();
      writer.get(20, TimeUnit.SECONDS);
      return new byte[][] {sent, received};
    }
  }

  private static byte[] echoOnce(Socket socket, byte[] message) throws IOException {
    socket.getOutputStream().write(message);
    byte[] reply = new byte[message.length];
    new DataInputStream(socket.getInputStream()).readFully(reply);
    return reply;
  }

  private static Duration medianRoundTrip(Socket socket, int samples) throws IOException {
    long[] nanos = new long[samples];
    for (int i = 0; i < samples; i++) {
      byte[] ping = ByteBuffer.allocate(8).putLong(i).array();
      long start = System.nanoTime();
      assertThat(echoOnce(socket, ping)).isEqualTo(ping);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return Duration.ofNanos(nanos[samples / 2]);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /** A real TCP echo server on loopback: echoes until end of stream, then closes. */
  private static final class EchoServer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
    private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread acceptor = new Thread(this::acceptLoop, "echo-accept");

    EchoServer() throws IOException {
      acceptor.setDaemon(true);
      acceptor.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(LOOPBACK, server.getLocalPort());
    }

    long openConnections() {
      return accepted.stream().filter(s -> !s.isClosed()).count();
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket socket = server.accept();
          accepted.add(socket);
          Thread echoer = new Thread(() -> echo(socket), "echo");
          echoer.setDaemon(true);
          echoer.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void echo(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        in.transferTo(out);
      } catch (IOException e) {
        // the client went away; closing is all there is to do
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }
}
