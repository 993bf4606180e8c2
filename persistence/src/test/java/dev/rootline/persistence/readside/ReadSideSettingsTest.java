package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadSideSettingsTest {

  @Test
  void defaultsFollowTheJournalKeyspace() {
    ReadSideSettings s = ReadSideSettings.create(ConfigFactory.defaultReference());
    assertThat(s.keyspace()).isEqualTo("rootline");
    assertThat(s.keyspaceAutocreate()).isTrue();
    assertThat(s.replicationFactor()).isEqualTo(1);
    assertThat(s.projectionName()).isEqualTo("trace-read-side");
    assertThat(s.restartMinBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.restartMaxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.offsetStoreBatch()).isEqualTo(50);
    assertThat(s.offsetStoreInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.maxQueryDays()).isEqualTo(7);

    ReadSideSettings other =
        ReadSideSettings.create(
            ConfigFactory.parseString("pekko.persistence.cassandra.journal.keyspace = shop")
                .withFallback(ConfigFactory.defaultReference()));
    assertThat(other.keyspace()).isEqualTo("shop");
  }

  @Test
  void refusesAKeyspaceNameThatWouldBreakTheCql() {
    assertThatThrownBy(
            () ->
                ReadSideSettings.create(
                    ConfigFactory.parseString("rootline.persistence.read-side.keyspace = \"x; DROP\"")
                        .withFallback(ConfigFactory.defaultReference())))
        .hasMessageContaining("not a valid Cassandra keyspace name");
  }
}
