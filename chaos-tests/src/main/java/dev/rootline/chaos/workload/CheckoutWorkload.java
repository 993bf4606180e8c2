package dev.rootline.chaos.workload;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The chaos workload, a program of its own run inside the client host: checkouts through the demo
 * frontend from a few threads, each with a W3C {@code traceparent} of a fresh trace id (the
 * request's unique id), and the ground-truth log: one line per request, written when its answer
 * came, {@code traceId status sentAtMillis answeredAtMillis} (status 0: no answer). The cart fails
 * a share of checkouts; every checkout answered 5xx must be retained. Stops on SIGTERM after the
 * requests in flight are answered and logged.
 *
 * <p>Usage: {@code CheckoutWorkload FRONTEND_URL THREADS PAUSE_MS LOG_FILE}
 */
public final class CheckoutWorkload {

  private final String url;
  private final Duration pause;
  private final BufferedWriter log;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private CheckoutWorkload(String url, Duration pause, BufferedWriter log) {
    this.url = url;
    this.pause = pause;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: CheckoutWorkload FRONTEND_URL THREADS PAUSE_MS LOG_FILE");
      System.exit(2);
    }
    BufferedWriter out =
        Files.newBufferedWriter(
            Path.of(args[3]), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    CheckoutWorkload w =
        new CheckoutWorkload(args[0] + "/checkout", Duration.ofMillis(Long.parseLong(args[2])), out);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < Integer.parseInt(args[1]); i++) {
      Thread t = new Thread(w::run, "checkout-" + i);
      threads.add(t);
      t.start();
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  w.running.set(false);
                  for (Thread t : threads) {
                    try {
                      t.join(25_000);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  w.flush();
                }));
    for (Thread t : threads) {
      t.join();
    }
  }

  private void run() {
    while (running.get()) {
      String traceId = hex(16);
      long at = System.currentTimeMillis();
      int status;
      try {
        status =
            http.send(
                    HttpRequest.newBuilder(URI.create(url))
                        .header("traceparent", "00-" + traceId + "-" + hex(8) + "-01")
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (IOException e) {
        status = 0;
      } catch (InterruptedException e) {
        return;
      }
      record(traceId + " " + status + " " + at + " " + System.currentTimeMillis());
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void record(String line) {
    try {
      log.write(line);
      log.newLine();
      log.flush();
    } catch (IOException e) {
      System.err.println("ground-truth log not writable: " + e);
    }
  }

  private synchronized void flush() {
    try {
      log.flush();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static String hex(int bytes) {
    StringBuilder s = new StringBuilder();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = 0; i < bytes; i++) {
      s.append(String.format("%02x", r.nextInt(256)));
    }
    return s.toString();
  }
}
