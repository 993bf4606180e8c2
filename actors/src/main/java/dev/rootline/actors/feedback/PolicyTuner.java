package dev.rootline.actors.feedback;

import dev.rootline.persistence.IssueFeedback;
import dev.rootline.persistence.IssueSummary;
import dev.rootline.persistence.RetainedTrace;
import dev.rootline.persistence.RootCause;
import dev.rootline.persistence.policy.CapturePolicy;
import dev.rootline.persistence.policy.PolicyScope;
import dev.rootline.persistence.policy.PolicySet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns feedback into capture policy changes, within {@link TunerSettings}' bounds. Pure: the
 * caller applies the proposals (each becomes a FEEDBACK change in the scope's history, which
 * names the feedback and can be reverted).
 *
 * <ul>
 *   <li>a root cause confirmed (or named) in a service or host: capture more there for {@code
 *       boost-for} — the normal-trace share raised to {@code boost-normal-share}, payload bytes
 *       to {@code boost-payload-bytes} (never lowered);
 *   <li>noise: the issue's fingerprint muted on its endpoint and, for an anomaly, that endpoint's
 *       anomaly threshold raised by {@code threshold-step} (at most {@code max-threshold});
 *   <li>an anomaly users say was missed ({@link #missed}): the endpoint's threshold lowered by a
 *       step (at least {@code min-threshold}).
 * </ul>
 */
public final class PolicyTuner {

  private final TunerSettings settings;

  public PolicyTuner(TunerSettings settings) {
    this.settings = settings;
  }

  public List<PolicyProposal> propose(RoutedFeedback routed, PolicySet current, long nowMillis) {
    if (!settings.enabled()) {
      return List.of();
    }
    IssueFeedback f = routed.feedback();
    IssueSummary issue = routed.summary();
    return switch (f.kind()) {
      case CONFIRM, NAME_CAUSE -> boost(f, issue, routed.ranking(), current, nowMillis);
      case NOISE -> quieten(f, issue, current);
      case REJECT -> List.of();
    };
  }

  /** An anomaly on {@code endpoint} ("service METHOD /path") went unnoticed: lower its threshold. */
  public List<PolicyProposal> missed(String endpoint, String by, PolicySet current) {
    if (!settings.enabled()) {
      return List.of();
    }
    PolicyScope scope = new PolicyScope(PolicyScope.Kind.ENDPOINT, endpoint);
    double now = threshold(current, scope);
    double next = Math.max(settings.minThreshold(), now - settings.thresholdStep());
    if (next >= now) {
      return List.of();
    }
    return List.of(new PolicyProposal(scope,
        new CapturePolicy(null, null, null, next, null, null, null),
        String.format(Locale.ROOT, "%s reported an anomaly on %s that was missed: anomaly threshold %.2f → %.2f",
            by, endpoint, now, next), 0));
  }

  private List<PolicyProposal> boost(
      IssueFeedback f, IssueSummary issue, List<RootCause> ranking, PolicySet current, long nowMillis) {
    PolicyScope scope = boostScope(f, ranking);
    if (scope == null) {
      return List.of();
    }
    CapturePolicy effective = effective(current, scope);
    Double share = effective.normalShare() < settings.boostNormalShare() ? settings.boostNormalShare() : null;
    Integer payload = effective.payloadBytes() < settings.boostPayloadBytes() ? settings.boostPayloadBytes() : null;
    if (share == null && payload == null) {
      return List.of();
    }
    List<String> what = new ArrayList<>();
    if (share != null) {
      what.add(String.format(Locale.ROOT, "normal-trace share %.2f → %.2f", effective.normalShare(), share));
    }
    if (payload != null) {
      what.add("payload " + effective.payloadBytes() + " → " + payload + " bytes");
    }
    String reason = String.format(Locale.ROOT, "%s %s %s as root cause of issue %s (%s): capture more there for %s (%s)",
        f.by(), f.kind() == IssueFeedback.Kind.CONFIRM ? "confirmed" : "named",
        f.level().name().toLowerCase(Locale.ROOT) + " " + f.subject(), issue.issueId(), issue.title(),
        human(settings.boostFor()), String.join(", ", what));
    return List.of(new PolicyProposal(scope, new CapturePolicy(null, payload, share, null, null, null, null), reason,
        nowMillis + settings.boostFor().toMillis()));
  }

  /** Where "capture more" applies: the candidate's service, or its host for a host candidate. */
  private static PolicyScope boostScope(IssueFeedback f, List<RootCause> ranking) {
    if (f.level() == RootCause.Level.HOST) {
      return PolicyScope.host(f.subject());
    }
    if (f.level() == RootCause.Level.SERVICE) {
      return PolicyScope.service(f.subject());
    }
    String key = f.candidateKey();
    for (RootCause c : ranking) {
      if (c.key().equals(key) && c.service() != null) {
        return PolicyScope.service(c.service());
      }
    }
    if (f.level() == RootCause.Level.ENDPOINT) {
      // "service METHOD /path": the service is the first word.
      int space = f.subject().indexOf(' ');
      return space > 0 ? PolicyScope.service(f.subject().substring(0, space)) : null;
    }
    return null;
  }

  private List<PolicyProposal> quieten(IssueFeedback f, IssueSummary issue, PolicySet current) {
    if (issue.service() == null || issue.endpoint() == null) {
      return List.of();
    }
    String[] methodPath = issue.endpoint().split(" ", 2);
    PolicyScope scope = methodPath.length == 2
        ? PolicyScope.endpoint(issue.service(), methodPath[0], methodPath[1])
        : PolicyScope.service(issue.service());
    CapturePolicy own = current.own(scope);
    List<String> muted = new ArrayList<>(own.mutedFingerprints() == null ? List.of() : own.mutedFingerprints());
    boolean newlyMuted = !muted.contains(issue.issueId());
    if (newlyMuted) {
      muted.add(issue.issueId());
    }
    Double threshold = null;
    double now = threshold(current, scope);
    if (RetainedTrace.ANOMALY.equals(issue.kind())) {
      double next = Math.min(settings.maxThreshold(), now + settings.thresholdStep());
      threshold = next > now ? next : null;
    }
    if (!newlyMuted && threshold == null) {
      return List.of();
    }
    String reason = String.format(Locale.ROOT, "%s marked issue %s (%s) as noise: its fingerprint is muted on %s%s",
        f.by(), issue.issueId(), issue.title(), scope.key(),
        threshold == null ? "" : String.format(Locale.ROOT, ", anomaly threshold %.2f → %.2f", now, threshold));
    return List.of(new PolicyProposal(scope,
        new CapturePolicy(null, null, null, threshold, null, null, newlyMuted ? List.copyOf(muted) : null), reason, 0));
  }

  private static CapturePolicy effective(PolicySet current, PolicyScope scope) {
    return switch (scope.kind()) {
      case GLOBAL -> current.global();
      case HOST -> current.effective(scope.name(), null, null);
      case SERVICE -> current.effective(null, scope.name(), null);
      case ENDPOINT -> current.effective(null, scope.name().split(" ", 2)[0], scope.name());
    };
  }

  private static double threshold(PolicySet current, PolicyScope scope) {
    return effective(current, scope).anomalyThreshold();
  }

  private static String human(java.time.Duration d) {
    long minutes = d.toMinutes();
    return minutes >= 60 && minutes % 60 == 0 ? (minutes / 60) + " h" : minutes > 0 ? minutes + " min" : d.toSeconds() + " s";
  }
}
