package dev.rootline.persistence.readside;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The read-side tables, created once before a query service's first query (the projection may
 * not have run yet); a failed attempt is retried by the next query.
 */
final class SchemaOnce {

  private final CassandraSession session;
  private final ReadSideSettings settings;
  private final AtomicReference<CompletableFuture<Done>> schema = new AtomicReference<>();

  SchemaOnce(CassandraSession session, ReadSideSettings settings) {
    this.session = session;
    this.settings = settings;
  }

  CompletionStage<Done> ready() {
    CompletableFuture<Done> current = schema.get();
    if (current != null && !current.isCompletedExceptionally()) {
      return current;
    }
    CompletableFuture<Done> attempt = new CompletableFuture<>();
    if (!schema.compareAndSet(current, attempt)) {
      return ready();
    }
    ReadSideSchema.create(session, settings)
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                attempt.completeExceptionally(error);
              } else {
                attempt.complete(done);
              }
            });
    return attempt;
  }
}
