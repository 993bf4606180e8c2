package dev.rootline.bpf.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Load for {@link DrainThroughput}, run as its own process: one loopback TCP connection, a
 * writer thread sending {@code chunk}-byte writes as fast as it can for {@code seconds}, a
 * reader draining the other end. Each write is one captured DATA event.
 *
 * <p>Usage: {@code TcpFlood <seconds> <chunk-bytes>}; prints the writes it made.
 */
public final class TcpFlood {

  private TcpFlood() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(args[0]);
    int chunk = Integer.parseInt(args[1]);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        Socket server = listener.accept()) {
      client.setTcpNoDelay(true);
      Thread reader =
          new Thread(
              () -> {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = server.getInputStream()) {
                  while (in.read(buf) >= 0) {
                    // discard
                  }
                } catch (Exception ignored) {
                  // the writer closed
                }
              });
      reader.start();
      byte[] payload = new byte[chunk];
      for (int i = 0; i < chunk; i++) {
        payload[i] = (byte) ('a' + i % 26);
      }
      OutputStream out = client.getOutputStream();
      long writes = 0;
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end) {
        out.write(payload);
        writes++;
      }
      client.shutdownOutput();
      reader.join();
      System.out.println("writes " + writes);
    }
  }
}
