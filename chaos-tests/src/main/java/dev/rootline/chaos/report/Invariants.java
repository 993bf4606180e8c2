package dev.rootline.chaos.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What must hold after every scenario; each broken one becomes a readable line. Spans shed are
 * reported, not checked: a shed span of a must-retain request shows up as that request lost.
 */
public final class Invariants {
  private Invariants() {}

  public static List<String> check(
      long sent, long mustRetain, long lost, long duplicated, long healthyAfterMs) {
    List<String> broken = new ArrayList<>();
    if (sent == 0) {
      broken.add("the workload sent no request (the scenario proves nothing)");
    }
    if (mustRetain == 0) {
      broken.add("no must-retain request (no checkout failed): nothing was tested");
    }
    if (lost > 0) {
      broken.add(lost + " must-retain request(s) not retained (lost)");
    }
    if (duplicated > 0) {
      broken.add(duplicated + " must-retain request(s) retained more than once (duplicated)");
    }
    if (healthyAfterMs < 0) {
      broken.add("the cluster did not get all members Up again after the fault");
    }
    return broken;
  }
}
