package dev.rootline.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.rootline.persistence.TraceFilter;
import java.time.Duration;

/**
 * The {@code rootline.api} section of the config; defaults and their reasons are in this module's
 * reference.conf.
 *
 * @param host interface the HTTP server binds to
 * @param port TCP port, 0 for any free port
 * @param defaultLimit traces listed when the request gives no {@code limit}
 * @param maxLimit the largest {@code limit} a request may ask for
 * @param storeTimeout how long a request waits for the trace store before answering 503
 * @param streamMaxConnections concurrent {@code /api/v1/stream} WebSockets; more get 503
 * @param streamMaxQueuedMessages messages buffered per WebSocket before the oldest are dropped
 * @param streamClosingTimeout how long a closing WebSocket waits for the client's close frame
 * @param auth the API tokens and their roles ({@code rootline.api.auth})
 */
public record ApiSettings(
    String host,
    int port,
    int defaultLimit,
    int maxLimit,
    Duration storeTimeout,
    int streamMaxConnections,
    int streamMaxQueuedMessages,
    Duration streamClosingTimeout,
    AuthSettings auth) {

  public ApiSettings {
    require(host != null && !host.isBlank(), "host", "must not be empty");
    require(port >= 0 && port <= 65535, "port", "must be between 0 and 65535, got " + port);
    require(
        maxLimit >= 1 && maxLimit <= TraceFilter.MAX_LIMIT,
        "max-limit",
        "must be between 1 and " + TraceFilter.MAX_LIMIT + ", got " + maxLimit);
    require(
        defaultLimit >= 1 && defaultLimit <= maxLimit,
        "default-limit",
        "must be between 1 and max-limit (" + maxLimit + "), got " + defaultLimit);
    require(
        storeTimeout != null && !storeTimeout.isNegative() && !storeTimeout.isZero(),
        "store-timeout",
        "must be positive, got " + storeTimeout);
    require(
        streamMaxConnections >= 0,
        "stream.max-connections",
        "must be >= 0, got " + streamMaxConnections);
    require(
        streamMaxQueuedMessages >= 1,
        "stream.max-queued-messages",
        "must be >= 1, got " + streamMaxQueuedMessages);
    require(
        streamClosingTimeout != null && streamClosingTimeout.toSeconds() >= 1,
        "stream.closing-timeout",
        "must be at least 1s (Vert.x counts it in whole seconds), got " + streamClosingTimeout);
    require(auth != null, "auth", "must be given");
  }

  /** Reads {@code rootline.api} from a config that includes this module's reference.conf. */
  public static ApiSettings create(Config config) {
    Config api = config.getConfig("rootline.api");
    return new ApiSettings(
        api.getString("host"),
        api.getInt("port"),
        api.getInt("default-limit"),
        api.getInt("max-limit"),
        api.getDuration("store-timeout"),
        api.getInt("stream.max-connections"),
        api.getInt("stream.max-queued-messages"),
        api.getDuration("stream.closing-timeout"),
        AuthSettings.create(api));
  }

  int streamClosingTimeoutSeconds() {
    return (int) Math.min(Integer.MAX_VALUE, streamClosingTimeout.toSeconds());
  }

  private static void require(boolean ok, String key, String why) {
    if (!ok) {
      throw new ConfigException.BadValue("rootline.api." + key, why);
    }
  }
}
