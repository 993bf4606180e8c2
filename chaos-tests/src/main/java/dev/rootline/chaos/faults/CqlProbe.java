package dev.rootline.chaos.faults;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Asks a Cassandra native-protocol port whether it answers CQL: sends an {@code OPTIONS} request
 * (protocol v4 framing, which Cassandra 3.x-5.x accept) and expects a {@code SUPPORTED} reply.
 * A bare TCP connect is not enough: the port can accept before the node serves requests.
 */
public final class CqlProbe {

  private static final byte VERSION_4_REQUEST = 0x04;
  private static final byte VERSION_4_RESPONSE = (byte) 0x84;
  private static final byte OPCODE_OPTIONS = 0x05;
  private static final byte OPCODE_SUPPORTED = 0x06;

  private CqlProbe() {}

  /** True when {@code address} answered OPTIONS with SUPPORTED within {@code timeout}. */
  public static boolean answers(InetSocketAddress address, Duration timeout) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      socket.connect(address, millis);
      socket.setSoTimeout(millis);
      OutputStream out = socket.getOutputStream();
      // version, flags, stream id (2 bytes), opcode, body length (4 bytes) = 0
      out.write(new byte[] {VERSION_4_REQUEST, 0, 0, 1, OPCODE_OPTIONS, 0, 0, 0, 0});
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] header = new byte[9];
      in.readFully(header);
      return header[0] == VERSION_4_RESPONSE && header[4] == OPCODE_SUPPORTED;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Polls until {@code address} answers CQL.
   *
   * @return how long it took
   * @throws IllegalStateException when it did not answer within {@code timeout}
   */
  public static Duration await(InetSocketAddress address, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (answers(address, Duration.ofNanos(Math.max(Math.min(left, Duration.ofSeconds(2).toNanos()), 1_000_000)))) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() >= deadline) {
        throw new IllegalStateException("Cassandra on " + address + " did not answer CQL within " + timeout);
      }
      Thread.sleep(250);
    }
  }
}
