package dev.rootline.persistence.readside;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The read side's tunables: {@code rootline.persistence.read-side} in reference.conf.
 *
 * @param keyspace keyspace of the read-side tables and projection_offsets
 * @param keyspaceAutocreate create the keyspace if missing
 * @param replicationFactor SimpleStrategy replication factor when creating the keyspace
 * @param projectionName this projection's row in projection_offsets
 * @param restartMinBackoff first restart delay after a failure
 * @param restartMaxBackoff longest restart delay
 * @param restartRandomFactor jitter of the restart delay
 * @param offsetStoreBatch store the offset after at most this many events
 * @param offsetStoreInterval ... or after this long
 * @param maxQueryDays the trace list walks back at most this many UTC days (today included)
 */
public record ReadSideSettings(
    String keyspace,
    boolean keyspaceAutocreate,
    int replicationFactor,
    String projectionName,
    Duration restartMinBackoff,
    Duration restartMaxBackoff,
    double restartRandomFactor,
    int offsetStoreBatch,
    Duration offsetStoreInterval,
    int maxQueryDays) {

  /** Where pekko-persistence-cassandra's settings (and its driver session) live. */
  public static final String CASSANDRA_PLUGIN_PATH = "pekko.persistence.cassandra";

  public ReadSideSettings {
    if (!keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("not a valid Cassandra keyspace name: " + keyspace);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replication-factor must be at least 1: " + replicationFactor);
    }
    if (offsetStoreBatch < 1) {
      throw new IllegalArgumentException("offset-store-batch must be at least 1: " + offsetStoreBatch);
    }
    if (maxQueryDays < 1) {
      throw new IllegalArgumentException("max-query-days must be at least 1: " + maxQueryDays);
    }
  }

  /** Reads {@code rootline.persistence.read-side} from the (root) config. */
  public static ReadSideSettings create(Config config) {
    Config c = config.getConfig("rootline.persistence.read-side");
    String keyspace = c.getString("keyspace");
    if (keyspace.isBlank()) {
      keyspace = config.getString(CASSANDRA_PLUGIN_PATH + ".journal.keyspace");
    }
    return new ReadSideSettings(
        keyspace,
        c.getBoolean("keyspace-autocreate"),
        c.getInt("replication-factor"),
        c.getString("projection-name"),
        c.getDuration("restart-min-backoff"),
        c.getDuration("restart-max-backoff"),
        c.getDouble("restart-random-factor"),
        c.getInt("offset-store-batch"),
        c.getDuration("offset-store-interval"),
        c.getInt("max-query-days"));
  }
}
