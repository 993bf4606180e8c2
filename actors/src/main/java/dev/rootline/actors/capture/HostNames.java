package dev.rootline.actors.capture;

/**
 * Names the host a captured process runs on. A node that captures a whole machine sees the
 * processes of every network namespace on it; with namespaces standing in for hosts (a lab, or
 * containers), the process's namespace is its host. Called on the capture thread only.
 */
public interface HostNames {

  /** The host of process {@code pid}; never null or blank. */
  String hostOf(int pid);

  /** Every process on the node's own host. */
  static HostNames fixed(String host) {
    return pid -> host;
  }
}
