package dev.rootline.actors.inference;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Settings of the inference core, read from {@code rootline.actors.trace.scorer.inference}
 * (defaults and meaning in the actors module's reference.conf).
 *
 * @param baselineSample share of normal traces retained as "baseline" examples, in [0, 1]
 * @param baselineHalfLife observations after which a baseline's old counts weigh half
 * @param maxOperations operation baselines kept at once (least recently used forgotten beyond)
 * @param maxCandidates candidates whose normal presence is counted at once
 * @param maxChildOperations child operations tracked per operation
 * @param maxHosts hosts tracked per operation
 * @param minObservations calls of an operation learnt before its spans are judged
 * @param slowFactor self time above this many times the baseline p99 counts as slow
 * @param minExcessMillis ...and only when it exceeds the p99 by at least this much
 * @param fastFactor a duration below this fraction of the baseline p1 counts as cut short
 * @param structureRarity a per-call count of a child call rarer than this share is a structural
 *     change
 * @param window recent anomalous traces whose evidence ranks the root causes
 * @param windowAge ...no older than this in event time
 * @param maxRanked candidates kept per ranking
 * @param maxAttributesPerSpan attribute values taken from one span's request
 * @param priorIncidents simulated incidents the ranking prior is trained on at start
 * @param priorSeed seed of that simulation
 */
public record InferenceSettings(
    double baselineSample,
    int baselineHalfLife,
    int maxOperations,
    int maxCandidates,
    int maxChildOperations,
    int maxHosts,
    int minObservations,
    double slowFactor,
    double minExcessMillis,
    double fastFactor,
    double structureRarity,
    int window,
    Duration windowAge,
    int maxRanked,
    int maxAttributesPerSpan,
    int priorIncidents,
    long priorSeed) {

  /** The defaults of reference.conf, for code that builds a judge without a config. */
  public static final InferenceSettings DEFAULTS =
      new InferenceSettings(0.05, 2000, 5000, 20000, 32, 16, 20, 3.0, 1.0, 0.25, 0.003, 500,
          Duration.ofMinutes(1), 10, 8, 32, 7);

  public InferenceSettings {
    if (!(baselineSample >= 0 && baselineSample <= 1)) {
      throw new IllegalArgumentException("inference.baseline-sample must be in [0, 1]: " + baselineSample);
    }
    if (baselineHalfLife < 2 || maxOperations < 1 || maxCandidates < 1 || maxChildOperations < 1
        || maxHosts < 1 || minObservations < 1 || window < 1 || maxRanked < 1
        || maxAttributesPerSpan < 0 || priorIncidents < 1) {
      throw new IllegalArgumentException("inference: sizes must be positive (baseline-half-life >= 2)");
    }
    if (!(slowFactor >= 1) || !(fastFactor > 0 && fastFactor <= 1) || minExcessMillis < 0
        || !(structureRarity > 0 && structureRarity < 1)) {
      throw new IllegalArgumentException(
          "inference: slow-factor >= 1, fast-factor in (0, 1], min-excess >= 0, structure-rarity in (0, 1)");
    }
    if (windowAge.isNegative() || windowAge.isZero()) {
      throw new IllegalArgumentException("inference.window-age must be positive: " + windowAge);
    }
  }

  public static InferenceSettings create(Config c) {
    return new InferenceSettings(
        c.getDouble("baseline-sample"),
        c.getInt("baseline-half-life"),
        c.getInt("max-operations"),
        c.getInt("max-candidates"),
        c.getInt("max-child-operations"),
        c.getInt("max-hosts"),
        c.getInt("min-observations"),
        c.getDouble("slow-factor"),
        c.getDouble("min-excess-millis"),
        c.getDouble("fast-factor"),
        c.getDouble("structure-rarity"),
        c.getInt("window"),
        c.getDuration("window-age"),
        c.getInt("max-ranked"),
        c.getInt("max-attributes-per-span"),
        c.getInt("prior-incidents"),
        c.getLong("prior-seed"));
  }

  /** The defaults as reference.conf has them (for tests and tools without a config). */
  public static InferenceSettings fromReference() {
    return create(ConfigFactory.load().getConfig("rootline.actors.trace.scorer.inference"));
  }
}
