package dev.rootline.chaos.report;

import java.util.List;
import java.util.Map;

/**
 * The figures of one scenario run and the invariants it broke (empty: all held).
 * healthyAfterMs: from the heal of the fault until all members were Up again (-1: never, within
 * the timeout). retainedAfterMs: from the end of the load until the last must-retain request was
 * found retained (or the harness gave up waiting). peakRssMib: node name → peak resident memory over all its incarnations.
 */
public record ScenarioResult(
    String scenario,
    String description,
    long requestsSent,
    long unanswered,
    long mustRetain,
    long foundOnce,
    long lost,
    long duplicated,
    long healthyAfterMs,
    long retainedAfterMs,
    Map<String, Long> peakRssMib,
    long spansShed,
    List<String> violations,
    String details) {

  public boolean passed() {
    return violations.isEmpty();
  }
}
