package dev.rootline.actors.capture;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Tunables of capture assembly, read from {@code rootline.actors.capture} (defaults and their
 * meaning are documented in {@code capture.conf}).
 */
public record CaptureAssemblySettings(
    String host,
    Duration pollInterval,
    int excerptBytes,
    int maxHeaderBytes,
    int maxHeaderCount,
    int maxBufferedBytesPerConnection,
    int maxConnections,
    int maxInFlightPerConnection,
    Duration connectionIdleTimeout,
    Duration requestTimeout,
    Duration stitchGrace,
    Duration openMessageSettle,
    boolean hostFromNetworkNamespace) {

  public static final String CONFIG_PATH = "rootline.actors.capture";
  /** The dispatcher the ProbeActor must be spawned on. */
  public static final String DISPATCHER_PATH = CONFIG_PATH + ".dispatcher";

  /** Without naming hosts by network namespace (every span on {@code host}). */
  public CaptureAssemblySettings(
      String host,
      Duration pollInterval,
      int excerptBytes,
      int maxHeaderBytes,
      int maxHeaderCount,
      int maxBufferedBytesPerConnection,
      int maxConnections,
      int maxInFlightPerConnection,
      Duration connectionIdleTimeout,
      Duration requestTimeout,
      Duration stitchGrace,
      Duration openMessageSettle) {
    this(host, pollInterval, excerptBytes, maxHeaderBytes, maxHeaderCount,
        maxBufferedBytesPerConnection, maxConnections, maxInFlightPerConnection,
        connectionIdleTimeout, requestTimeout, stitchGrace, openMessageSettle, false);
  }

  public CaptureAssemblySettings {
    requirePositive("poll-interval", pollInterval);
    requirePositive("connection-idle-timeout", connectionIdleTimeout);
    requirePositive("request-timeout", requestTimeout);
    requirePositive("open-message-settle", openMessageSettle);
    if (stitchGrace.isNegative()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".stitch-grace must not be negative");
    }
    if (connectionIdleTimeout.compareTo(requestTimeout) <= 0) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".connection-idle-timeout must be longer than request-timeout");
    }
    if (maxConnections < 1 || maxInFlightPerConnection < 1) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".max-connections and max-in-flight-per-connection must be >= 1");
    }
    if (maxBufferedBytesPerConnection < 2 * 64) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".max-buffered-bytes-per-connection must be >= 128");
    }
    new HttpLimits(maxHeaderBytes, maxHeaderCount, excerptBytes); // validates those three
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(CONFIG_PATH + ".host must not be blank");
    }
  }

  /** Reads {@code rootline.actors.capture} from a full config (include capture.conf). */
  public static CaptureAssemblySettings create(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    String host = c.getString("host").trim();
    return new CaptureAssemblySettings(
        host.isEmpty() ? machineHostName() : host,
        c.getDuration("poll-interval"),
        c.getInt("excerpt-bytes"),
        bytesAsInt(c, "max-header-bytes"),
        c.getInt("max-header-count"),
        bytesAsInt(c, "max-buffered-bytes-per-connection"),
        c.getInt("max-connections"),
        c.getInt("max-in-flight-per-connection"),
        c.getDuration("connection-idle-timeout"),
        c.getDuration("request-timeout"),
        c.getDuration("stitch-grace"),
        c.getDuration("open-message-settle"),
        c.getBoolean("host-from-network-namespace"));
  }

  public HttpLimits httpLimits() {
    return new HttpLimits(maxHeaderBytes, maxHeaderCount, excerptBytes);
  }

  /** A copy with another host name (tests, or a node that knows its name better). */
  public CaptureAssemblySettings withHost(String newHost) {
    return new CaptureAssemblySettings(
        newHost, pollInterval, excerptBytes, maxHeaderBytes, maxHeaderCount,
        maxBufferedBytesPerConnection, maxConnections, maxInFlightPerConnection,
        connectionIdleTimeout, requestTimeout, stitchGrace, openMessageSettle,
        hostFromNetworkNamespace);
  }

  /** A copy that does (or does not) name a span's host by its process's network namespace. */
  public CaptureAssemblySettings withHostFromNetworkNamespace(boolean on) {
    return new CaptureAssemblySettings(
        host, pollInterval, excerptBytes, maxHeaderBytes, maxHeaderCount,
        maxBufferedBytesPerConnection, maxConnections, maxInFlightPerConnection,
        connectionIdleTimeout, requestTimeout, stitchGrace, openMessageSettle, on);
  }

  /** How spans get their host: by network namespace when on, else always {@code host}. */
  public HostNames hostNames() {
    return hostFromNetworkNamespace ? NetnsHostNames.create(host) : HostNames.fixed(host);
  }

  static String machineHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }

  private static int bytesAsInt(Config c, String key) {
    long v = c.getBytes(key);
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " is too large: " + v);
    }
    return (int) v;
  }

  private static void requirePositive(String key, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be positive");
    }
  }
}
