package dev.rootline.chaos.scenario;

import dev.rootline.chaos.harness.ChaosLab;
import java.util.function.Consumer;

/**
 * One fault, applied to a running cluster under load: {@link #apply} injects it, holds it, heals
 * it, and returns when it was in force. Bringing every member back afterwards (restarting nodes
 * the split brain resolver downed) and checking what was retained is the runner's job, the same
 * for every scenario. A scenario heals what it injected even when it fails half way.
 */
public interface Scenario {

  /** The name on the command line and in the report ({@code kill9}, {@code pause}, ...). */
  String name();

  /** One line for the report: what the fault is. */
  String description();

  FaultWindow apply(ChaosLab lab, Consumer<String> progress) throws Exception;

  /** When the fault began and when it was healed (epoch millis). */
  record FaultWindow(long injectedAtMillis, long healedAtMillis) {}
}
