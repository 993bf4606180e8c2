package dev.rootline.api;

import dev.rootline.persistence.TraceQueries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Rootline web API: REST under {@code /api/v1} and the live WebSocket stream. It reads traces
 * through {@link TraceQueries}, issues through {@link IssueSources}, numbers through {@link
 * StatsSource} and live retained traces through {@link RetainedTraceFeed}, so it knows nothing of
 * actors or Cassandra.
 */
public final class ApiServer {

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Clients only open the stream; a larger frame from them is a mistake or an attack. */
  private static final int MAX_INBOUND_WEBSOCKET_BYTES = 4096;

  private final HttpServer server;
  private final LiveTraceStream stream;
  private final AutoCloseable feedSubscription;
  private final AutoCloseable issueSubscription;
  private final ApiMetrics metrics;

  private ApiServer(
      HttpServer server,
      LiveTraceStream stream,
      AutoCloseable feedSubscription,
      AutoCloseable issueSubscription,
      ApiMetrics metrics) {
    this.server = server;
    this.stream = stream;
    this.feedSubscription = feedSubscription;
    this.issueSubscription = issueSubscription;
    this.metrics = metrics;
  }

  /** A server without issues: {@code GET /issues} is empty, every issue id is unknown. */
  public static Future<ApiServer> start(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      StatsSource stats,
      RetainedTraceFeed feed) {
    return start(vertx, settings, traces, stats, feed, IssueSources.none());
  }

  /**
   * Subscribes to the feeds (once for all WebSockets), binds {@code settings.host():port()} and
   * completes when the server accepts connections; fails if the port cannot be bound.
   */
  public static Future<ApiServer> start(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      StatsSource stats,
      RetainedTraceFeed feed,
      IssueSources issues) {
    return start(vertx, settings, traces, stats, feed, issues, ClusterViewSource.unavailable());
  }

  /** A server without issues, with the cluster view {@code GET /api/v1/cluster} answers from. */
  public static Future<ApiServer> start(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      StatsSource stats,
      RetainedTraceFeed feed,
      ClusterViewSource cluster) {
    return start(vertx, settings, traces, stats, feed, IssueSources.none(), cluster);
  }

  /** Issues and the cluster view, no models or policies (their routes answer empty, 404 or 503). */
  public static Future<ApiServer> start(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      StatsSource stats,
      RetainedTraceFeed feed,
      IssueSources issues,
      ClusterViewSource cluster) {
    return start(vertx, settings, traces, stats, feed, issues, cluster, ControlSources.none());
  }

  /** Everything: issues, the cluster view, models and policies. */
  public static Future<ApiServer> start(
      Vertx vertx,
      ApiSettings settings,
      TraceQueries traces,
      StatsSource stats,
      RetainedTraceFeed feed,
      IssueSources issues,
      ClusterViewSource cluster,
      ControlSources control) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(traces, "traces");
    Objects.requireNonNull(stats, "stats");
    Objects.requireNonNull(feed, "feed");
    Objects.requireNonNull(issues, "issues");
    ApiTokens tokens;
    try {
      tokens = ApiTokens.from(settings.auth());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    ApiMetrics metrics = new ApiMetrics();
    LiveTraceStream stream = new LiveTraceStream(vertx, settings, metrics);
    AutoCloseable subscription;
    AutoCloseable issueSubscription;
    try {
      subscription =
          Objects.requireNonNull(feed.subscribe(stream::publish), "feed.subscribe returned null");
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    try {
      issueSubscription =
          Objects.requireNonNull(
              issues.feed().subscribe(stream::publishIssue), "issue feed subscribe returned null");
    } catch (RuntimeException e) {
      closeQuietly(subscription);
      return Future.failedFuture(e);
    }
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(settings.host())
            .setPort(settings.port())
            .setMaxWebSocketFrameSize(MAX_INBOUND_WEBSOCKET_BYTES)
            .setMaxWebSocketMessageSize(MAX_INBOUND_WEBSOCKET_BYTES)
            .setWebSocketClosingTimeout(settings.streamClosingTimeoutSeconds());
    HttpServer server =
        vertx
            .createHttpServer(options)
            .requestHandler(
                ApiRouter.create(
                    vertx, settings, traces, issues, stats, stream, metrics, cluster, control, tokens))
            .invalidRequestHandler(new InvalidHttpRequest(metrics))
            .exceptionHandler(e -> log.debug("HTTP connection error", e));
    return server
        .listen()
        .map(
            bound -> {
              log.info(
                  "Rootline API listening on {}:{} ({} token(s))", settings.host(), bound.actualPort(), tokens.size());
              return new ApiServer(bound, stream, subscription, issueSubscription, metrics);
            })
        .recover(
            failed -> {
              stream.close();
              closeQuietly(subscription);
              closeQuietly(issueSubscription);
              return Future.failedFuture(failed);
            });
  }

  /** The bound port: the configured one, or the one picked when configured as 0. */
  public int port() {
    return server.actualPort();
  }

  /** Request, error and stream counters, for the node to include in its stats. */
  public ApiMetrics metrics() {
    return metrics;
  }

  /** Unsubscribes from the feeds, closes the WebSockets (1001), then stops listening. */
  public Future<Void> close() {
    closeQuietly(feedSubscription);
    closeQuietly(issueSubscription);
    return stream.close().transform(streamsClosed -> server.close());
  }

  private static void closeQuietly(AutoCloseable subscription) {
    try {
      subscription.close();
    } catch (Exception e) {
      log.warn("closing a feed subscription failed", e);
    }
  }
}
