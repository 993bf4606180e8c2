package dev.rootline.bpf.bench;

import com.typesafe.config.ConfigFactory;
import dev.rootline.bpf.CaptureSession;
import dev.rootline.bpf.CaptureSettings;
import dev.rootline.bpf.HttpTestServer;
import dev.rootline.bpf.ProcessPolicy;
import dev.rootline.bpf.TargetMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What capture policies cost and save, roughly: a JDK HttpServer (its own JVM) under {@code wrk},
 * interleaved rounds of: no capture session, capture (all but self), the server muted, capture
 * off. Prints requests/s per round and the median per mode. Not a test.
 *
 * <p>Usage (as root, after {@code mvn -pl bpf test-compile}): {@code java -cp
 * target/classes:target/test-classes:<config jar> dev.rootline.bpf.bench.PolicyOverhead ROUNDS
 * SECONDS}
 */
public final class PolicyOverhead {

  private enum Mode { NO_SESSION, CAPTURE, MUTED, OFF }

  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  private PolicyOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server =
        new ProcessBuilder(java, "-Dsun.net.httpserver.nodelay=true", "-cp", System.getProperty("java.class.path"),
                HttpTestServer.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
      int port = Integer.parseInt(line.substring(5).trim());
      int pid = (int) server.pid();
      String url = "http://127.0.0.1:" + port + "/bench";
      wrk(url, 2); // JIT warm-up of the server
      Map<Mode, List<Double>> rates = new EnumMap<>(Mode.class);
      CaptureSettings settings = CaptureSettings.create(ConfigFactory.load()).withTargetMode(TargetMode.ALL_BUT_SELF);
      for (int round = 0; round < rounds; round++) {
        for (Mode mode : Mode.values()) {
          double rate;
          String counted = "";
          if (mode == Mode.NO_SESSION) {
            rate = wrk(url, seconds);
          } else {
            try (CaptureSession session = CaptureSession.open(settings)) {
              if (mode == Mode.MUTED) {
                session.setProcessPolicy(pid, ProcessPolicy.mute());
              } else if (mode == Mode.OFF) {
                session.setCaptureEnabled(false);
              }
              Thread drainer = new Thread(() -> drain(session), "drain");
              drainer.start();
              rate = wrk(url, seconds);
              drainer.interrupt();
              drainer.join();
              counted = " " + session.counters();
            }
          }
          rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(rate);
          System.out.printf("round %d %-10s %10.0f req/s%s%n", round, mode, rate, counted);
        }
      }
      for (Map.Entry<Mode, List<Double>> e : rates.entrySet()) {
        List<Double> sorted = e.getValue().stream().sorted().toList();
        System.out.printf("median %-10s %10.0f req/s%n", e.getKey(), sorted.get(sorted.size() / 2));
      }
    } finally {
      server.destroy();
      server.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void drain(CaptureSession session) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        session.poll(e -> {});
        Thread.sleep(10);
      }
    } catch (InterruptedException done) {
      // stop draining
    }
  }

  private static double wrk(String url, int seconds) throws Exception {
    Process wrk = new ProcessBuilder("wrk", "-t1", "-c10", "-d" + seconds + "s", url).redirectErrorStream(true).start();
    String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    Matcher m = RATE.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("wrk said: " + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
