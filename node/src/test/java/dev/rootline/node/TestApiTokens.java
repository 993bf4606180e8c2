package dev.rootline.node;

/**
 * The API tokens of the node ITs: every node they start gets {@link #CONFIG}, every API call they
 * make sends {@link #AUTHORIZATION} (an admin), as a user of a real node must.
 */
public final class TestApiTokens {

  public static final String ADMIN = "node-it-admin-5f0c2a9d7e41b8c3";
  public static final String VIEWER = "node-it-viewer-9a7d3e1f0b62c4d8";

  /** {@code rootline.api.auth.tokens}: one admin ("it"), one viewer ("it-viewer"). */
  public static final String CONFIG =
      "rootline.api.auth.tokens = [ { name = \"it\", role = admin, token = \"" + ADMIN + "\" },"
          + " { name = \"it-viewer\", role = viewer, token = \"" + VIEWER + "\" } ]";

  /** The value of the Authorization header of the admin. */
  public static final String AUTHORIZATION = "Bearer " + ADMIN;

  private TestApiTokens() {}
}
