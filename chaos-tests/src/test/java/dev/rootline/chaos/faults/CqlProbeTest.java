package dev.rootline.chaos.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the probe must not mistake for Cassandra: a closed port, and a port that accepts but does
 * not speak CQL (the window in which a starting node has bound its port but serves nothing). The
 * positive case needs a real Cassandra and is covered where the harness runs one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CqlProbeTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aClosedPortDoesNotAnswer() throws IOException {
    InetSocketAddress closed;
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      closed = new InetSocketAddress(LOOPBACK, socket.getLocalPort());
    }
    assertThat(CqlProbe.answers(closed, Duration.ofMillis(500))).isFalse();
    assertThatThrownBy(() -> CqlProbe.await(closed, Duration.ofMillis(700)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not answer CQL within");
  }

  @Test
  void aPortThatAcceptsButSaysNothingDoesNotAnswer() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, LOOPBACK)) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket accepted = silent.accept()) {
                  Thread.sleep(2_000); // hold the connection open without a word
                  accepted.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                  // test over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      long start = System.nanoTime();
      assertThat(CqlProbe.answers(new InetSocketAddress(LOOPBACK, silent.getLocalPort()), Duration.ofMillis(500))).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }
}
