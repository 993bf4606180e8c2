package dev.rootline.actors.inference.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The injected faults of a recorded incident folder ({@code faults.json}: a list of
 * {@code {inject_time, inject_timestamp, inject_pod, inject_type}}).
 */
public final class FaultCatalog {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * One injected fault.
   *
   * @param injectTime the wall-clock time as written ("2023-01-29 08:43:04")
   * @param injectTimestamp unix seconds as written (see {@link #startNanos()} for why it is not
   *     used)
   * @param pod the pod the fault was injected into
   * @param type the kind of fault ("cpu_contention", "exception", ...)
   */
  public record Fault(String injectTime, long injectTimestamp, String pod, String type) {

    /** The true root cause: the pod's service. */
    public String service() {
      return NezhaCsvReader.serviceOf(pod);
    }

    /**
     * When the fault starts, on the traces' clock: {@code inject_time} read as UTC. The span
     * times of both Nezha systems are on that clock, whereas {@code inject_timestamp} is 8 h 1 min
     * off for Train Ticket (a time zone and a minute) and repeated for two of its faults.
     */
    public long startNanos() {
      return LocalDateTime.parse(injectTime, TIME).toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L;
    }

    /** The three minute files of the fault: HH_MM of the injection minute and the two after. */
    public List<String> traceFiles() {
      LocalDateTime t = LocalDateTime.parse(injectTime, TIME).withSecond(0);
      List<String> out = new ArrayList<>(3);
      for (int m = 0; m < 3; m++) {
        LocalDateTime f = t.plusMinutes(m);
        out.add(String.format("%02d_%02d_trace.csv.gz", f.getHour(), f.getMinute()));
      }
      return out;
    }
  }

  private FaultCatalog() {}

  public static List<Fault> read(Path faultsJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(faultsJson));
    } catch (IOException e) {
      throw new MalformedRecordException(faultsJson.toString(), 0, "not readable JSON: " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw new MalformedRecordException(faultsJson.toString(), 0, "expected a JSON list of faults");
    }
    List<Fault> faults = new ArrayList<>();
    int i = 0;
    for (JsonNode f : root) {
      i++;
      String time = text(f, "inject_time", faultsJson, i);
      String pod = text(f, "inject_pod", faultsJson, i);
      String type = text(f, "inject_type", faultsJson, i);
      long ts;
      try {
        ts = Long.parseLong(text(f, "inject_timestamp", faultsJson, i));
        LocalDateTime.parse(time, TIME);
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new MalformedRecordException(faultsJson.toString(), 0,
            "fault #" + i + ": bad inject_time or inject_timestamp: " + e.getMessage());
      }
      faults.add(new Fault(time, ts, pod, type));
    }
    return List.copyOf(faults);
  }

  private static String text(JsonNode f, String field, Path file, int i) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      throw new MalformedRecordException(file.toString(), 0, "fault #" + i + " has no " + field);
    }
    return v.asText();
  }
}
