package dev.rootline.actors.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Lines of {@code /proc/net/tcp} and {@code tcp6} as this kernel writes them. */
class TcpSocketTest {

  @Test
  void anIpv4ListeningSocketGivesItsPortStateAndInode() {
    String line =
        "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1211 1 000000005c9962bd 100 0 0 10 0                      ";
    assertThat(TcpSocket.parse(line)).isEqualTo(new TcpSocket(2024, ListeningProcesses.TCP_LISTEN, 1211));
  }

  @Test
  void anEstablishedIpv4SocketIsNotListening() {
    String line =
        "   3: 0100007F:1F93 0100007F:B8A2 01 00000000:00000000 02:000A2D33 00000000  1000        0 884213 2 00000000e3f1a0c5 20 4 30 10 -1                  ";
    TcpSocket s = TcpSocket.parse(line);
    assertThat(s).isEqualTo(new TcpSocket(8083, 0x01, 884213));
  }

  @Test
  void anIpv6ListeningSocketGivesItsPortAfterThe32HexDigitsOfItsAddress() {
    String line =
        "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40977 1 0000000018f3f7e5 100 0 0 10 0";
    assertThat(TcpSocket.parse(line)).isEqualTo(new TcpSocket(8080, ListeningProcesses.TCP_LISTEN, 40977));
    String loopback =
        "   1: 00000000000000000000000001000000:E4C1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 55012 1 0000000000000000 100 0 0 10 0";
    assertThat(TcpSocket.parse(loopback)).isEqualTo(new TcpSocket(0xE4C1, ListeningProcesses.TCP_LISTEN, 55012));
  }

  @Test
  void timeWaitSocketsWithoutAnInodeParseWithInodeZero() {
    String line =
        "   7: 0100007F:1F93 0100007F:C33E 06 00000000:00000000 03:00001538 00000000     0        0 0 3 0000000000000000";
    assertThat(TcpSocket.parse(line)).isEqualTo(new TcpSocket(8083, 0x06, 0));
  }

  @Test
  void headersAndMalformedLinesAreNotSockets() {
    assertThat(TcpSocket.parse(ProcFixture.TCP_HEADER)).isNull();
    assertThat(TcpSocket.parse(ProcFixture.TCP6_HEADER)).isNull();
    assertThat(TcpSocket.parse("")).isNull();
    assertThat(TcpSocket.parse(null)).isNull();
    assertThat(TcpSocket.parse("   0: 00000000:07E8 00000000:0000 0A")).as("cut short").isNull();
    assertThat(TcpSocket.parse("   0: 0000:07E8 00000000:0000 0A 0:0 0:0 0 0 0 1211")).as("short address").isNull();
    assertThat(TcpSocket.parse("   0: 00000000:07G8 00000000:0000 0A 0:0 0:0 0 0 0 1211")).as("not hex").isNull();
    assertThat(TcpSocket.parse("   0: 00000000:07E8 00000000:0000 0A 0:0 0:0 0 0 0 x1211")).as("bad inode").isNull();
  }
}
