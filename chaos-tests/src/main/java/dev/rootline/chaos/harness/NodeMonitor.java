package dev.rootline.chaos.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples every node every two seconds while a scenario runs: peak resident memory (VmHWM of
 * each pid it has had: the kernel's own high-water mark, so short peaks between samples count
 * too) and the spans it shed ({@code /api/v1/stats} delivery.spansShed, a per-JVM counter, so the
 * last value seen of each pid is summed over a node's restarts).
 */
public final class NodeMonitor implements AutoCloseable {
  private final ChaosLab lab;
  private final Map<Long, Long> peakRssByPid = new ConcurrentHashMap<>();
  private final Map<Long, Long> shedByPid = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  public NodeMonitor(ChaosLab lab) {
    this.lab = lab;
    this.thread = new Thread(this::loop, "node-monitor");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running.get()) {
      try {
        sample();
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // a node between incarnations: sample again next round
      }
    }
  }

  /** One sample of every live node; also called once more at the end. */
  public void sample() throws Exception {
    for (NodeJvm n : lab.nodes()) {
      long pid = n.pid();
      if (pid <= 0 || !Commands.alive(pid)) {
        continue;
      }
      long rss = NodeJvm.peakRssMib(pid);
      if (rss > 0) {
        peakRssByPid.merge(pid, rss, Math::max);
      }
      JsonNode stats = lab.http().json(n.api() + "/stats", Duration.ofSeconds(5));
      if (stats != null && stats.at("/delivery/spansShed").isNumber()) {
        shedByPid.merge(pid, stats.at("/delivery/spansShed").asLong(), Math::max);
      }
    }
  }

  /** Node name → peak RSS in MiB over all its incarnations. */
  public Map<String, Long> peakRssMib() {
    Map<String, Long> out = new HashMap<>();
    for (NodeJvm n : lab.nodes()) {
      long max = -1;
      for (long pid : n.pids()) {
        max = Math.max(max, peakRssByPid.getOrDefault(pid, -1L));
      }
      out.put(n.name(), max);
    }
    return out;
  }

  public long spansShed() {
    long total = 0;
    for (NodeJvm n : lab.nodes()) {
      List<Long> pids = n.pids();
      for (long pid : pids) {
        total += shedByPid.getOrDefault(pid, 0L);
      }
    }
    return total;
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    thread.interrupt();
    thread.join(10_000);
  }
}
