package dev.rootline.persistence.readside;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/** The projection's resume point: one row per projection in {@code projection_offsets}. */
final class ProjectionOffsetStore {

  private final CassandraSession session;
  private final ReadSideSettings settings;
  private final String projectionName;

  ProjectionOffsetStore(CassandraSession session, ReadSideSettings settings, String projectionName) {
    this.session = session;
    this.settings = settings;
    this.projectionName = projectionName;
  }

  /** The stored offset, or NoOffset the very first time. */
  CompletionStage<Offset> load() {
    return session
        .selectOne(
            "SELECT offset_uuid FROM " + settings.keyspace() + ".projection_offsets WHERE projection_name = ?",
            projectionName)
        .thenApply(
            row -> {
              UUID uuid = row.map(r -> r.getUuid("offset_uuid")).orElse(null);
              return uuid == null ? NoOffset.getInstance() : Offset.timeBasedUUID(uuid);
            });
  }

  CompletionStage<Done> save(TimeBasedUUID offset) {
    return session.executeWrite(
        "INSERT INTO " + settings.keyspace()
            + ".projection_offsets (projection_name, offset_uuid, updated_at) VALUES (?, ?, ?)",
        projectionName,
        offset.value(),
        Instant.now());
  }
}
