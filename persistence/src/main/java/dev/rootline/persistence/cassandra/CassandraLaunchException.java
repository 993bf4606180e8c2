package dev.rootline.persistence.cassandra;

/** The local Cassandra could not be started, reached or stopped; the message says why. */
public final class CassandraLaunchException extends RuntimeException {
  public CassandraLaunchException(String message) {
    super(message);
  }

  public CassandraLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
