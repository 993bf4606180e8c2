package dev.rootline.bpf;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A real HTTP server for the integration tests, run as its own {@code java} process so the
 * capture sees another pid: binds 127.0.0.1 on a free port, prints {@code PORT <n>}, answers
 * every request with 200 and {@code hello <uri>}, and exits when its stdin closes (so it dies
 * with the test JVM even if cleanup never runs).
 */
public final class HttpTestServer {

  private HttpTestServer() {}

  public static void main(String[] args) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] body = ("hello " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    System.out.println("PORT " + server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() != -1) {
      // wait for the parent to go away
    }
    server.stop(0);
  }
}
