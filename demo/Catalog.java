import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Demo service "catalog": a JDK HttpServer with a fast /items and a /search that is slow now
 * and then. No tracing code. Run: java -Dsun.net.httpserver.nodelay=true Catalog.java PORT [SLOW_SHARE]
 * Environment (optional): DEMO_BIND address to listen on (default 127.0.0.1);
 * ROOTLINE_DEMO_FAULTS the fault switch file, in the format demo/faults.py documents.
 */
public class Catalog {
  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    double slowShare = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    String bind = System.getenv().getOrDefault("DEMO_BIND", "127.0.0.1");
    Faults faults = new Faults(System.getenv().getOrDefault("ROOTLINE_DEMO_FAULTS", ""));
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 128);
    server.createContext("/items", faults.wrap(ex -> reply(ex, 200, "{\"items\":[\"shoes\",\"socks\"]}")));
    server.createContext("/search", faults.wrap(ex -> {
      if (ThreadLocalRandom.current().nextDouble() < slowShare) {
        sleep(400 + ThreadLocalRandom.current().nextInt(400));
      } else {
        sleep(2 + ThreadLocalRandom.current().nextInt(5));
      }
      reply(ex, 200, "{\"results\":[\"shoes\"]}");
    }));
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

  /** The fault switches of demo/faults.py: a key=value file, re-read when it changes. */
  static final class Faults {
    private final Path file;
    private long mtime = Long.MIN_VALUE;
    private Map<String, String> switches = Map.of();

    Faults(String file) {
      this.file = file.isEmpty() ? null : Path.of(file);
    }

    HttpHandler wrap(HttpHandler handler) {
      return ex -> {
        Integer status = apply(ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery());
        if (status != null) {
          reply(ex, status, "{\"error\":\"injected fault\"}");
        } else {
          handler.handle(ex);
        }
      };
    }

    private synchronized Map<String, String> current() {
      if (file == null) {
        return Map.of();
      }
      try {
        long m = Files.getLastModifiedTime(file).toMillis();
        if (m != mtime) {
          Map<String, String> s = new HashMap<>();
          for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
              s.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
          }
          mtime = m;
          switches = s;
        }
      } catch (IOException e) {
        mtime = Long.MIN_VALUE;
        switches = Map.of();
      }
      return switches;
    }

    private Integer apply(String path, String query) {
      Map<String, String> s = current();
      if (s.isEmpty()) {
        return null;
      }
      ThreadLocalRandom random = ThreadLocalRandom.current();
      double delay = number(s.get("delay_ms"), 0);
      if (delay > 0 && path.startsWith(s.getOrDefault("delay_path", ""))) {
        sleep((int) (delay * (0.9 + 0.2 * random.nextDouble())));
      }
      String attr = s.getOrDefault("error_attr", "");
      double rate = number(s.get("error_rate"), attr.isEmpty() ? 0 : 1);
      if (rate <= 0 || !path.startsWith(s.getOrDefault("error_path", ""))) {
        return null;
      }
      if (!attr.isEmpty() && !hasParameter(query, attr)) {
        return null;
      }
      return random.nextDouble() < rate ? 500 : null;
    }

    private static boolean hasParameter(String query, String nameValue) {
      if (query == null) {
        return false;
      }
      for (String pair : query.split("&")) {
        if (URLDecoder.decode(pair, StandardCharsets.UTF_8).equals(nameValue)) {
          return true;
        }
      }
      return false;
    }

    private static double number(String text, double dflt) {
      try {
        return text == null || text.isEmpty() ? dflt : Double.parseDouble(text);
      } catch (NumberFormatException e) {
        return dflt;
      }
    }
  }
}
