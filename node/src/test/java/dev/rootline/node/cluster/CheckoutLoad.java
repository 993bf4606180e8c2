package dev.rootline.node.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Checkouts through the demo frontend from a few threads, each request with a W3C {@code
 * traceparent} of a fresh trace id, so a test knows which trace every request became and can
 * look each failed one up. The test JVM is not a capturing node, so these requests (and their
 * client spans) are captured like any other process's.
 */
final class CheckoutLoad implements AutoCloseable {

  /** One request: its trace id, the status it got (0: no answer) and when it was sent. */
  record Sent(String traceId, int status, long sentAtMillis) {}

  private final String url;
  private final Duration pause;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  CheckoutLoad(int frontendPort, int threads, Duration pause) {
    this.url = "http://127.0.0.1:" + frontendPort + "/checkout";
    this.pause = pause;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::run, "checkout-load-" + i);
      t.setDaemon(true);
      this.threads.add(t);
      t.start();
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
      } catch (Exception e) {
        status = 0;
      }
      sent.add(new Sent(traceId, status, at));
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Stops sending and waits for the requests in flight. */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(30_000);
    }
  }

  List<Sent> sent() {
    return List.copyOf(sent);
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
