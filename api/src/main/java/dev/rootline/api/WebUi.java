package dev.rootline.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser UI: plain HTML, ES modules and CSS from {@code webroot/ui} on the classpath, served
 * at {@code /ui/}. Nothing is fetched from elsewhere at run time, which the content security
 * policy enforces: scripts, styles and connections only to this origin, no inline script.
 */
final class WebUi {

  static final String WEBROOT = "webroot/ui";

  private static final String CONTENT_SECURITY_POLICY =
      String.join(
          "; ",
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          "img-src 'self' data:",
          "connect-src 'self' ws: wss:",
          "object-src 'none'",
          "base-uri 'none'",
          "frame-ancestors 'none'",
          "form-action 'self'");

  private WebUi() {}

  static StaticHandler files() {
    return StaticHandler.create(WEBROOT)
        .setIndexPage("index.html")
        .setDirectoryListing(false)
        // Small files, changed with each release: revalidate rather than serve a stale UI.
        .setMaxAgeSeconds(60);
  }

  static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
