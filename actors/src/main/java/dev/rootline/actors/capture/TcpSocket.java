package dev.rootline.actors.capture;

/**
 * One line of {@code /proc/<pid>/net/tcp} or {@code tcp6}: what {@link ListeningProcesses} needs
 * of a socket. The kernel writes, space-separated, {@code sl local_address rem_address st
 * tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...}; an address is hex ({@code
 * 0100007F:1F90} for IPv4, 32 hex digits before the colon for IPv6), the port hex after the last
 * colon, the state hex ({@code 0A} is LISTEN).
 *
 * @param localPort the local port (0..65535)
 * @param state the TCP state ({@link ListeningProcesses#TCP_LISTEN} for LISTEN)
 * @param inode the socket's inode, what {@code /proc/<pid>/fd} links name {@code socket:[inode]}
 */
record TcpSocket(int localPort, int state, long inode) {

  private static final int LOCAL = 1;
  private static final int STATE = 3;
  private static final int INODE = 9;

  /** The socket of one table line, or null for the header or a line not of this shape. */
  static TcpSocket parse(String line) {
    if (line == null) {
      return null;
    }
    String local = null;
    String state = null;
    String inode = null;
    int field = 0;
    int i = 0;
    int n = line.length();
    while (i < n && field <= INODE) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      while (i < n && line.charAt(i) != ' ') {
        i++;
      }
      if (start == i) {
        break;
      }
      switch (field) {
        case LOCAL -> local = line.substring(start, i);
        case STATE -> state = line.substring(start, i);
        case INODE -> inode = line.substring(start, i);
        default -> {}
      }
      field++;
    }
    if (local == null || state == null || inode == null) {
      return null;
    }
    int colon = local.lastIndexOf(':'); // 8 hex digits of address (IPv4) or 32 (IPv6), 4 of port
    if ((colon != 8 && colon != 32) || local.length() - colon - 1 != 4) {
      return null;
    }
    try {
      int port = Integer.parseInt(local, colon + 1, local.length(), 16);
      int st = Integer.parseInt(state, 16);
      long ino = Long.parseLong(inode);
      return ino < 0 || st < 0 || st > 0xff ? null : new TcpSocket(port, st, ino);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
