package dev.rootline.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
}
