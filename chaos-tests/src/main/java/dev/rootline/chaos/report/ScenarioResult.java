package dev.rootline.chaos.report;

import java.util.List;
import java.util.Map;

/**
 * The figures of one scenario run and the invariants it broke (empty: all held).
 * healthyAfterMs: from the heal of the fault until all members were Up again (-1: never, within
 * the timeout). peakRssMib: node name → peak resident memory over all its incarnations.
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
    Map<String, Long> peakRssMib,
    long spansShed,
    List<String> violations,
    String details) {

  public boolean passed() {
    return violations.isEmpty();
  }
}
