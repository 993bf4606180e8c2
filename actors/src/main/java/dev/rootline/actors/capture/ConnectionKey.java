package dev.rootline.actors.capture;

/**
 * Identity of one captured connection: the process, its file descriptor, and a generation.
 *
 * <p>Neither the fd nor the kernel's socket pointer identifies a connection over time: both are
 * reused as soon as a connection closes. The generation is assigned whenever a new connection
 * takes the (pid, fd) slot (ACCEPT, CONNECT, or the first DATA after a CLOSE), so two
 * connections that shared a slot never share a key.
 */
public record ConnectionKey(int pid, int fd, long generation) {

  @Override
  public String toString() {
    return pid + "/" + fd + "#" + generation;
  }
}
