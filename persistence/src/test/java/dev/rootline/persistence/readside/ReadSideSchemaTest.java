package dev.rootline.persistence.readside;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadSideSchemaTest {

  @Test
  void keyspaceFirstThenTablesAllIfNotExists() {
    List<String> cql = ReadSideSchema.statements(ReadSideSettings.create(ConfigFactory.defaultReference()));
    assertThat(cql).hasSize(9).allSatisfy(s -> assertThat(s).contains("IF NOT EXISTS rootline"));
    assertThat(cql.get(0)).startsWith("CREATE KEYSPACE").contains("'replication_factor': 1");
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.traces_by_time").contains("PRIMARY KEY ((day), start_nanos, trace_id)").contains("start_nanos DESC"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.traces_by_service").contains("PRIMARY KEY ((service, day), start_nanos, trace_id)"));
    // Rows are rewritten with the same timestamp on replays: a non-frozen list would grow.
    assertThat(cql)
        .filteredOn(s -> s.contains("rootline.traces"))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s).contains("services frozen<list<text>>").contains("reasons frozen<list<text>>"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.projection_offsets").contains("offset_uuid timeuuid"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.issues (").contains("issue_id text PRIMARY KEY"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.issues_by_status").contains("PRIMARY KEY ((status), issue_id)"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.issue_occurrences").contains("bucket_start_millis DESC"));
    assertThat(cql).anySatisfy(s -> assertThat(s).contains("rootline.issue_feedback").contains("PRIMARY KEY ((issue_id), at_millis, feedback_id)"));
  }

  @Test
  void noKeyspaceStatementWhenAnOperatorOwnsTheSchema() {
    ReadSideSettings settings =
        ReadSideSettings.create(
            ConfigFactory.parseString("rootline.persistence.read-side { keyspace = ops, keyspace-autocreate = off }")
                .withFallback(ConfigFactory.defaultReference()));
    List<String> cql = ReadSideSchema.statements(settings);
    assertThat(cql).hasSize(8).allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS ops."));
  }
}
