package dev.rootline.node;

/** The HOCON every in-process node IT starts from; each adds its own lines (tokens, tunings). */
final class TestNodeConfig {

  /**
   * Free ports for the API and the cluster, the test's own Cassandra (never a local one started
   * by the node), and short trace timings so decisions come within seconds.
   */
  static final String IN_PROCESS =
      String.join(
          "\n",
          "rootline.api.port = 0",
          "rootline.cluster.port = 0",
          "rootline.node.start-local-cassandra = off",
          "rootline.actors.trace.quiet-period = 1s",
          "rootline.actors.trace.linger = 3s");

  private TestNodeConfig() {}
}
