package dev.rootline.actors.capture;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** "ip:port" text for spans and for matching the two ends of a local connection. */
final class SocketAddresses {

  private SocketAddresses() {}

  /** True when both the address and a non-zero port are known. */
  static boolean isComplete(InetSocketAddress a) {
    return a != null && a.getAddress() != null && a.getPort() != 0;
  }

  /**
   * "1.2.3.4:80", "[::1]:80"; IPv4-mapped IPv6 addresses are written as IPv4 so a dual-stack
   * socket and a plain IPv4 socket on the two ends of one connection print the same. Empty when
   * unknown.
   */
  static String format(InetSocketAddress a) {
    if (a == null || a.getAddress() == null) {
      return "";
    }
    InetAddress ip = unmap(a.getAddress());
    String host = ip.getHostAddress();
    if (ip instanceof Inet6Address) {
      int zone = host.indexOf('%');
      return "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]:" + a.getPort();
    }
    return host + ":" + a.getPort();
  }

  /** Key of a connection seen from one end; the other end's key has the arguments swapped. */
  static String pairKey(InetSocketAddress local, InetSocketAddress remote) {
    return format(local) + "|" + format(remote);
  }

  private static InetAddress unmap(InetAddress ip) {
    if (ip instanceof Inet6Address) {
      byte[] b = ip.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      if (mapped) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException impossible) {
          return ip;
        }
      }
    }
    return ip;
  }
}
