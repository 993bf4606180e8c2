package dev.rootline.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The record format, pinned twice: by hand-written golden bytes (every field, in the exact
 * layout of capture_event.h) and by comparing those bytes with what the real C struct produces
 * (capture_event_golden.c, run by the native build).
 */
class EventDecoderTest {

  /** Epoch offset used by every test: 1.7e18 ns (late 2023) minus nothing clever. */
  private static final long OFFSET = 1_700_000_000_000_000_000L;

  /** A recvfrom of 300 bytes, 5 kept, by python3 pid 4242 on 127.0.0.1:8080 from 10.1.2.3. */
  private static final String DATA_RECORD =
      // header: ts_ns 1_000_000_123_456, type 3 DATA, version 1, size 117
      "40f2a6d4e8000000" + "0300" + "0100" + "75000000"
          // start_ns 1_000_000_000_000
          + "0010a5d4e8000000"
          // ret 300
          + "2c01000000000000"
          // pid 4242, tid 4243, fd 7
          + "92100000" + "93100000" + "07000000"
          // direction 1 INGRESS, flags 0x01 truncated, syscall 3 recvfrom
          + "01" + "01" + "0300"
          // comm "python3", NUL-padded to 16
          + "707974686f6e3300" + "0000000000000000"
          // local: 127.0.0.1 (16 bytes), port 8080, family 2
          + "7f000001000000000000000000000000" + "901f" + "0200"
          // remote: 10.1.2.3, port 54321, family 2
          + "0a010203000000000000000000000000" + "31d4" + "0200"
          // payload_len 5, reserved 0
          + "05000000" + "00000000"
          // payload "GET /" and 3 bytes of padding to the next 8-byte boundary
          + "474554202f" + "000000";

  /** accept4 -> fd 9 by java pid 77: [fd00::1]:443 from ::ffff:192.168.1.9 port 40000. */
  private static final String ACCEPT_RECORD =
      // header: ts_ns 2_000_000_000_999, type 2 ACCEPT, version 1, size 112
      "e7234aa9d1010000" + "0200" + "0100" + "70000000"
          // start_ns 1_999_999_000_000
          + "c0dd3aa9d1010000"
          // ret 9 (the new fd)
          + "0900000000000000"
          // pid 77, tid 78, fd 9
          + "4d000000" + "4e000000" + "09000000"
          // direction 0 NONE, flags 0, syscall 10 accept4
          + "00" + "00" + "0a00"
          // comm "java"
          + "6a61766100000000" + "0000000000000000"
          // local: fd00::1, port 443, family 10
          + "fd000000000000000000000000000001" + "bb01" + "0a00"
          // remote: ::ffff:192.168.1.9, port 40000, family 10
          + "00000000000000000000ffffc0a80109" + "409c" + "0a00"
          // payload_len 0, reserved 0
          + "00000000" + "00000000";

  @Test
  void recordSizeIsTheSizeOfTheCStruct() throws IOException {
    String header = Files.readString(Path.of("src/main/c/capture_event.h"));
    assertThat(header)
        .contains(
            "_Static_assert(sizeof(struct capture_event) == " + EventDecoder.RECORD_BYTES)
        .contains("#define CAPTURE_MAX_PAYLOAD " + EventDecoder.MAX_PAYLOAD_BYTES)
        .contains("#define CAPTURE_EVENT_VERSION " + EventDecoder.VERSION)
        .contains("#define CAPTURE_RECORD_ALIGN " + EventDecoder.RECORD_ALIGN);
  }

  @Test
  void goldenBytesAreWhatTheCStructProduces() throws IOException {
    Path fromC = Path.of("target/native/capture_event_golden.bin");
    assertThat(fromC).as("written by the native build (make, process-classes)").exists();
    assertThat(HexFormat.of().formatHex(Files.readAllBytes(fromC)))
        .isEqualTo(DATA_RECORD + ACCEPT_RECORD);
  }

  @Test
  void decodesEveryFieldOfADataRecord() throws Exception {
    List<CaptureEvent> events = decode(DATA_RECORD);

    assertThat(events).hasSize(1);
    CaptureEvent e = events.get(0);
    assertThat(e.type()).isEqualTo(CaptureEvent.Type.DATA);
    assertThat(e.direction()).isEqualTo(CaptureEvent.Direction.INGRESS);
    assertThat(e.startEpochNanos()).isEqualTo(1_000_000_000_000L + OFFSET);
    assertThat(e.endEpochNanos()).isEqualTo(1_000_000_123_456L + OFFSET);
    assertThat(e.pid()).isEqualTo(4242);
    assertThat(e.tid()).isEqualTo(4243);
    assertThat(e.fd()).isEqualTo(7);
    assertThat(e.comm()).isEqualTo("python3");
    assertThat(e.local()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080));
    assertThat(e.remote()).isEqualTo(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 54321));
    assertThat(e.bytes()).isEqualTo(300);
    assertThat(new String(e.payload(), StandardCharsets.US_ASCII)).isEqualTo("GET /");
    assertThat(e.truncated()).isTrue();
  }

  @Test
  void decodesEveryFieldOfAnAcceptRecordWithIpv6AndMappedAddresses() throws Exception {
    List<CaptureEvent> events = decode(ACCEPT_RECORD);

    assertThat(events).hasSize(1);
    CaptureEvent e = events.get(0);
    assertThat(e.type()).isEqualTo(CaptureEvent.Type.ACCEPT);
    assertThat(e.direction()).isEqualTo(CaptureEvent.Direction.NONE);
    assertThat(e.startEpochNanos()).isEqualTo(1_999_999_000_000L + OFFSET);
    assertThat(e.endEpochNanos()).isEqualTo(2_000_000_000_999L + OFFSET);
    assertThat(e.pid()).isEqualTo(77);
    assertThat(e.tid()).isEqualTo(78);
    assertThat(e.fd()).isEqualTo(9);
    assertThat(e.comm()).isEqualTo("java");
    assertThat(e.local().getAddress()).isInstanceOf(Inet6Address.class);
    assertThat(e.local()).isEqualTo(new InetSocketAddress(InetAddress.getByName("fd00::1"), 443));
    // a dual-stack listener's IPv4 peer reads as the IPv4 address it is
    assertThat(e.remote().getAddress()).isInstanceOf(Inet4Address.class);
    assertThat(e.remote()).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.168.1.9"), 40000));
    assertThat(e.bytes()).isEqualTo(9);
    assertThat(e.payload()).isEmpty();
    assertThat(e.truncated()).isFalse();
  }

  @Test
  void decodesABatchInOrder() {
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();

    int n = decoder.decode(buffer(DATA_RECORD + ACCEPT_RECORD + DATA_RECORD), Integer.MAX_VALUE, events::add);

    assertThat(n).isEqualTo(3);
    assertThat(events)
        .extracting(CaptureEvent::type)
        .containsExactly(CaptureEvent.Type.DATA, CaptureEvent.Type.ACCEPT, CaptureEvent.Type.DATA);
    assertThat(decoder.malformed()).isZero();
  }

  @Test
  void unknownAddressFamilyOrEmptyAddressDecodesAsNull() {
    // family 0 locally; remote AF_INET with 0.0.0.0:0 (a connect that failed before binding)
    String record =
        ACCEPT_RECORD.substring(0, 128)
            + "00000000000000000000000000000000" + "0000" + "0000"
            + "00000000000000000000000000000000" + "0000" + "0200"
            + "00000000" + "00000000";

    CaptureEvent e = decode(record).get(0);

    assertThat(e.local()).isNull();
    assertThat(e.remote()).isNull();
  }

  @Test
  void recordOfAnotherVersionIsCountedAndSkippedAndTheBatchGoesOn() {
    String version2 = ACCEPT_RECORD.substring(0, 20) + "0200" + ACCEPT_RECORD.substring(24);
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();

    int n = decoder.decode(buffer(version2 + DATA_RECORD), Integer.MAX_VALUE, events::add);

    assertThat(n).isEqualTo(1);
    assertThat(events.get(0).type()).isEqualTo(CaptureEvent.Type.DATA);
    assertThat(decoder.malformed()).isEqualTo(1);
  }

  @Test
  void unknownTypeOrPayloadLengthDisagreeingWithSizeIsSkipped() {
    String type9 = ACCEPT_RECORD.substring(0, 16) + "0900" + ACCEPT_RECORD.substring(20);
    String lyingLength = DATA_RECORD.substring(0, 208) + "06000000" + DATA_RECORD.substring(216);
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();

    int n = decoder.decode(buffer(type9 + lyingLength + ACCEPT_RECORD), Integer.MAX_VALUE, events::add);

    assertThat(n).isEqualTo(1);
    assertThat(events.get(0).type()).isEqualTo(CaptureEvent.Type.ACCEPT);
    assertThat(decoder.malformed()).isEqualTo(2);
  }

  @Test
  void brokenFramingAbandonsTheRestOfTheBatchWithoutThrowing() {
    // size 40: smaller than a record, so nothing after it can be located
    String badSize = DATA_RECORD.substring(0, 24) + "28000000" + DATA_RECORD.substring(32);
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();

    int n = decoder.decode(buffer(ACCEPT_RECORD + badSize + ACCEPT_RECORD), Integer.MAX_VALUE, events::add);

    assertThat(n).isEqualTo(1);
    assertThat(decoder.malformed()).isEqualTo(1);
  }

  @Test
  void aRecordCutShortByTheLengthIsCountedNotRead() {
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();
    int length = (ACCEPT_RECORD.length() + DATA_RECORD.length()) / 2 - 10;

    int n = decoder.decode(buffer(ACCEPT_RECORD + DATA_RECORD), length, events::add);

    assertThat(n).isEqualTo(1);
    assertThat(decoder.malformed()).isEqualTo(1);
  }

  @Test
  void decodingLeavesTheBufferAsItWas() {
    ByteBuffer buffer = buffer(DATA_RECORD);
    buffer.position(3).limit(50);

    new EventDecoder(OFFSET).decode(buffer, buffer.capacity(), e -> {});

    assertThat(buffer.position()).isEqualTo(3);
    assertThat(buffer.limit()).isEqualTo(50);
    assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
  }

  private static List<CaptureEvent> decode(String hex) {
    EventDecoder decoder = new EventDecoder(OFFSET);
    List<CaptureEvent> events = new ArrayList<>();
    decoder.decode(buffer(hex), hex.length() / 2, events::add);
    assertThat(decoder.malformed()).isZero();
    return events;
  }

  private static ByteBuffer buffer(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length);
    direct.put(bytes).clear();
    return direct;
  }
}
