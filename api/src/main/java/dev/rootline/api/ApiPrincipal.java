package dev.rootline.api;

import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling: the name and role of the token the request carried. The auth step puts it on
 * the routing context; handlers read it with {@link #of(RoutingContext)}, e.g. as the author of a
 * feedback or a policy change.
 */
public record ApiPrincipal(String name, ApiRole role) {

  private static final String KEY = "rootline.api.principal";

  void attachTo(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /**
   * The caller of an authenticated request. Every route but the public ones runs after the auth
   * step, so a missing principal is a wiring bug (a 500), never an anonymous caller.
   */
  static ApiPrincipal of(RoutingContext ctx) {
    ApiPrincipal principal = ctx.get(KEY);
    if (principal == null) {
      throw new IllegalStateException("no authenticated caller on " + ctx.request().path());
    }
    return principal;
  }
}
