package dev.rootline.node.eval;

import java.util.List;

/**
 * The outcome of one fault of a recorded incident folder.
 *
 * @param system the folder's name
 * @param injectTime when the fault was injected (as in faults.json)
 * @param type the fault type
 * @param trueService the service of the injected pod
 * @param rank the true service's rank (1 = first), 0 when it was not ranked at all
 * @param topServices the ranked services, most likely first (at most 5)
 * @param tracesBefore traces that started before the injection
 * @param retainedBefore ...of them retained (anomaly, failure or baseline sample)
 * @param flaggedBefore ...of them judged anomalous or failing (false alarms, as far as is known)
 * @param tracesThroughFault traces after the injection that passed through the injected pod
 * @param flaggedThroughFault ...of them judged anomalous or failing
 * @param anomaliesAfter traces after the injection judged anomalous or failing
 * @param tracesAfter traces after the injection
 */
public record FaultResult(
    String system,
    String injectTime,
    String type,
    String trueService,
    int rank,
    List<String> topServices,
    long tracesBefore,
    long retainedBefore,
    long flaggedBefore,
    long tracesThroughFault,
    long flaggedThroughFault,
    long anomaliesAfter,
    long tracesAfter) {

  public boolean within(int k) {
    return rank >= 1 && rank <= k;
  }
}
