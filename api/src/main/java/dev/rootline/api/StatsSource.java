package dev.rootline.api;

import java.util.Map;

/**
 * Where {@code GET /api/v1/stats} gets its numbers. The node implements it over its metrics; the
 * API serializes the snapshot as JSON as is.
 */
@FunctionalInterface
public interface StatsSource {

  /**
   * A point-in-time view: nested {@code Map<String, Object>}s whose leaves are numbers, strings,
   * booleans or lists of them. Called on the event loop, so it must be cheap and never block.
   */
  Map<String, Object> snapshot();
}
