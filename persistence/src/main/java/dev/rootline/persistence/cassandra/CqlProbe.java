package dev.rootline.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.TypedDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.OptionsMap;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;

/** Is something listening, and does it answer CQL? Used to tell a ready Cassandra. */
public final class CqlProbe {

  private CqlProbe() {}

  /** True when a TCP connection to the address succeeds within the timeout. */
  public static boolean isListening(InetSocketAddress address, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) timeout.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A full CQL handshake and {@code SELECT release_version FROM system.local}. The session is
   * configured from driver defaults only, so an application's datastax-java-driver settings
   * (other contact points, for one) cannot leak into the probe.
   */
  public static Optional<String> releaseVersion(InetSocketAddress address, String localDatacenter, Duration timeout) {
    OptionsMap options = OptionsMap.driverDefaults();
    options.put(TypedDriverOption.REQUEST_TIMEOUT, timeout);
    options.put(TypedDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout);
    options.put(TypedDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout);
    options.put(TypedDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout);
    options.put(TypedDriverOption.METADATA_SCHEMA_ENABLED, false);
    options.put(TypedDriverOption.METADATA_TOKEN_MAP_ENABLED, false);
    try (CqlSession session =
        CqlSession.builder()
            .withConfigLoader(DriverConfigLoader.fromMap(options))
            .addContactPoint(address)
            .withLocalDatacenter(localDatacenter)
            .build()) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      return Optional.ofNullable(row).map(r -> r.getString("release_version"));
    } catch (RuntimeException e) {
      // Not (yet) a working Cassandra: refused, handshake timeout, bootstrapping, ...
      return Optional.empty();
    }
  }
}
