package dev.rootline.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What reference.conf (with persistence.conf and serialization.conf) sets up for a node. */
class PersistenceConfigTest {

  private final Config config = ConfigFactory.load();

  @Test
  void cassandraIsJournalAndSnapshotStoreInTheRootlineKeyspace() {
    assertThat(config.getString("pekko.persistence.journal.plugin")).isEqualTo("pekko.persistence.cassandra.journal");
    assertThat(config.getString("pekko.persistence.snapshot-store.plugin")).isEqualTo("pekko.persistence.cassandra.snapshot");
    Config cassandra = config.getConfig("pekko.persistence.cassandra");
    assertThat(cassandra.getString("journal.keyspace")).isEqualTo("rootline");
    assertThat(cassandra.getString("snapshot.keyspace")).isEqualTo("rootline");
    assertThat(cassandra.getInt("journal.replication-factor")).isEqualTo(1);
    assertThat(cassandra.getBoolean("journal.keyspace-autocreate")).isTrue();
    assertThat(cassandra.getBoolean("journal.tables-autocreate")).isTrue();
    assertThat(cassandra.getBoolean("snapshot.tables-autocreate")).isTrue();
    assertThat(cassandra.getBoolean("events-by-tag.enabled")).isTrue();
    assertThat(cassandra.getString("events-by-tag.first-time-bucket")).isEqualTo("20260101T00:00");
    assertThat(cassandra.getDuration("events-by-tag.eventual-consistency-delay")).isLessThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(cassandra.getDuration("query.refresh-interval")).isLessThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void driverPointsAtTheLocalNodeWithARaisedTimeout() {
    Config driver = config.getConfig("datastax-java-driver");
    // Unless ROOTLINE_CASSANDRA_CONTACT_POINT(_2/_3) are set in the environment running the tests.
    if (System.getenv("ROOTLINE_CASSANDRA_CONTACT_POINT") == null && System.getenv("ROOTLINE_CASSANDRA_CONTACT_POINT_2") == null) {
      assertThat(driver.getStringList("basic.contact-points")).containsExactly("127.0.0.1:9042");
    }
    assertThat(driver.getString("basic.load-balancing-policy.local-datacenter")).isEqualTo("datacenter1");
    assertThat(driver.getDuration("basic.request.timeout")).isEqualTo(Duration.ofSeconds(10));
    assertThat(driver.getDuration("profiles.pekko-persistence-cassandra-profile.basic.request.timeout"))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(driver.getBoolean("advanced.reconnect-on-init")).isTrue();
  }

  @Test
  void driverContactPointFollowsTheRootlineContactPoint() {
    Config withSecond =
        ConfigFactory.parseString("rootline.persistence.contact-point = \"10.0.0.1:9042\"")
            .withFallback(ConfigFactory.parseResources("persistence.conf"))
            .resolve();
    assertThat(withSecond.getStringList("datastax-java-driver.basic.contact-points")).containsExactly("10.0.0.1:9042");
  }

  @Test
  void cborSerializableIsBoundToJacksonCbor() {
    assertThat(config.getString("pekko.actor.serialization-bindings.\"dev.rootline.persistence.CborSerializable\""))
        .isEqualTo("jackson-cbor");
  }
}
