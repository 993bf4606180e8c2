package dev.rootline.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Creates the journal's and snapshot store's keyspace and tables (messages, tag_views, snapshots,
 * ...) up front, with pekko-persistence-cassandra's own IF NOT EXISTS statements.
 *
 * <p>The plugins create them lazily when first used, and on a fresh keyspace the first entity
 * recovery can run before that and fail with "keyspace does not exist". Await {@link
 * #create(ActorSystem)} before starting entities (and the read side) to avoid that race. Does
 * nothing when {@code rootline.persistence.schema-autocreate} is off (an operator owns the schema).
 */
public final class JournalSchema {

  private static final String PLUGIN = "pekko.persistence.cassandra";

  private JournalSchema() {}

  public static CompletionStage<Done> create(ActorSystem<?> system) {
    if (!system.settings().config().getBoolean("rootline.persistence.schema-autocreate")) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    KeyspaceAndTableStatements statements =
        new KeyspaceAndTableStatements(system, PLUGIN, PluginSettings.apply(system.classicSystem()));
    List<String> cql = new ArrayList<>();
    cql.add(statements.createJournalKeyspaceStatement());
    cql.addAll(statements.getCreateJournalTablesStatements());
    cql.add(statements.createSnapshotKeyspaceStatement());
    cql.addAll(statements.getCreateSnapshotTablesStatements());
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : cql) {
      // One after the other: concurrent schema changes can disagree.
      done = done.thenCompose(previous -> session.executeDDL(statement));
    }
    return done;
  }
}
