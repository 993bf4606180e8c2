import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Demo service "catalog": a JDK HttpServer with a fast /items and a /search that is slow now
 * and then. No tracing code. Run: java -Dsun.net.httpserver.nodelay=true Catalog.java PORT [SLOW_SHARE]
 */
public class Catalog {
  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    double slowShare = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    server.createContext("/items", ex -> reply(ex, 200, "{\"items\":[\"shoes\",\"socks\"]}"));
    server.createContext("/search", ex -> {
      if (ThreadLocalRandom.current().nextDouble() < slowShare) {
        sleep(400 + ThreadLocalRandom.current().nextInt(400));
      } else {
        sleep(2 + ThreadLocalRandom.current().nextInt(5));
      }
      reply(ex, 200, "{\"results\":[\"shoes\"]}");
    });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
