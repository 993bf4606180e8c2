package dev.rootline.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Requests made by separate processes: the test JVM is the capturing node, which excludes its own
 * pid in the kernel, so traffic meant to be captured must come from elsewhere.
 */
final class Curl {
  private Curl() {}

  /** GETs the URL with curl and returns the HTTP status (0 when curl failed to connect). */
  static int get(String url) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("curl did not finish: " + url);
    }
    return out.isEmpty() ? 0 : Integer.parseInt(out);
  }

  /** Sends {@code bytes} random bytes to the port from another process (nc), then closes. */
  static void sendRandomBytes(int port, int bytes) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "bash", "-c", "head -c " + bytes + " /dev/urandom | nc -q 1 -w 5 127.0.0.1 " + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("nc did not finish");
    }
  }

  /** An answer of the node's API: status (0 when curl failed to connect) and body. */
  record Reply(int status, String body) {}

  /**
   * GETs a URL of the node's API with curl. The one place ITs that use it call the API from: the
   * API's credentials, when it wants some, are added here.
   */
  static Reply apiGet(String url) throws IOException, InterruptedException {
    return run(List.of("-s", "-w", "\n%{http_code}", "--max-time", "20",
        "-H", "Authorization: " + TestApiTokens.AUTHORIZATION, url));
  }

  /** Sends one request with these curl options (e.g. -X, -H, --data) and returns the HTTP status. */
  static int send(String url, String... options) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("-s", "-o", "/dev/null", "-w", "\n%{http_code}", "--max-time", "20"));
    args.addAll(List.of(options));
    args.add(url);
    return run(args).status();
  }

  private static Reply run(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("curl");
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("curl did not finish: " + args);
    }
    int nl = out.lastIndexOf('\n');
    String status = out.substring(nl + 1).trim();
    return new Reply(status.matches("\\d+") ? Integer.parseInt(status) : 0, nl < 0 ? "" : out.substring(0, nl));
  }
}
