package dev.rootline.chaos.workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The workload's ground-truth log, read back: every request with its status and times. */
public record GroundTruth(List<Request> requests, int malformedLines) {

  /** One request; status 0: no answer. Must be retained when the frontend answered 5xx. */
  public record Request(String traceId, int status, long sentAtMillis, long answeredAtMillis) {
    public boolean mustRetain() {
      return status >= 500;
    }
  }

  public static GroundTruth read(Path log) throws IOException {
    List<Request> out = new ArrayList<>();
    int bad = 0;
    if (!Files.exists(log)) {
      return new GroundTruth(out, 0);
    }
    for (String line : Files.readAllLines(log)) {
      String[] f = line.trim().split(" ");
      if (f.length != 4 || !f[0].matches("[0-9a-f]{32}")) {
        bad++; // a line cut by a killed writer: counted, not fatal
        continue;
      }
      try {
        out.add(new Request(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
      } catch (NumberFormatException e) {
        bad++;
      }
    }
    return new GroundTruth(List.copyOf(out), bad);
  }

  public List<Request> mustRetain() {
    return requests.stream().filter(Request::mustRetain).toList();
  }

  public long unanswered() {
    return requests.stream().filter(r -> r.status() == 0).count();
  }
}
