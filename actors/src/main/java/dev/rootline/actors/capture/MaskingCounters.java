package dev.rootline.actors.capture;

import dev.rootline.persistence.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What PII masking did since the probe started (monotonic totals). For {@code GET /api/v1/stats}
 * ({@code "masking"}).
 *
 * @param byRule values masked per rule name ({@link MaskingRule#ruleName()}), every rule listed
 * @param textsScanned texts (request targets, request and response excerpts) the masker scanned
 * @param textsMasked texts in which it masked at least one value
 */
public record MaskingCounters(Map<String, Long> byRule, long textsScanned, long textsMasked)
    implements CborSerializable {

  public MaskingCounters {
    byRule = Collections.unmodifiableMap(new LinkedHashMap<>(byRule)); // rule order kept for the API
  }

  /** Values masked by {@code rule} so far. */
  public long masked(MaskingRule rule) {
    return byRule.getOrDefault(rule.ruleName(), 0L);
  }
}
