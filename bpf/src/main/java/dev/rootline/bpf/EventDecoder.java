package dev.rootline.bpf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Decodes a batch of raw records, as {@code capture__poll} lays them out, into {@link
 * CaptureEvent}s. The layout is {@code struct capture_event} of {@code capture_event.h}
 * (little-endian, packed) followed by {@code payload_len} payload bytes, each record starting
 * {@value #RECORD_ALIGN}-byte aligned.
 *
 * <p>Kernel timestamps are CLOCK_MONOTONIC; adding the offset measured when the session opened
 * (CLOCK_REALTIME - CLOCK_MONOTONIC) turns them into epoch nanoseconds.
 *
 * <p>Records it does not understand are counted in {@link #malformed()} and skipped; a batch
 * whose framing is broken is abandoned at that point, never thrown at the caller.
 *
 * <p>Not thread-safe: one decoder per polling thread; {@link #malformed()} may be read from any.
 */
public final class EventDecoder {

  /** {@code sizeof(struct capture_event)}: the fixed part of every record. */
  public static final int RECORD_BYTES = 112;

  /** {@code CAPTURE_MAX_PAYLOAD}: the compile-time ceiling of the payload prefix. */
  public static final int MAX_PAYLOAD_BYTES = 4096;

  /** The largest record; a batch buffer must hold at least one. */
  public static final int MAX_RECORD_BYTES = RECORD_BYTES + MAX_PAYLOAD_BYTES;

  /** {@code CAPTURE_RECORD_ALIGN}: each record starts at a multiple of this. */
  public static final int RECORD_ALIGN = 8;

  /** {@code CAPTURE_EVENT_VERSION}. */
  public static final int VERSION = 1;

  // Offsets into struct capture_event; see capture_event.h.
  static final int OFF_TS = 0;
  static final int OFF_TYPE = 8;
  static final int OFF_VERSION = 10;
  static final int OFF_SIZE = 12;
  static final int OFF_START = 16;
  static final int OFF_RET = 24;
  static final int OFF_PID = 32;
  static final int OFF_TID = 36;
  static final int OFF_FD = 40;
  static final int OFF_DIRECTION = 44;
  static final int OFF_FLAGS = 45;
  static final int OFF_SYSCALL = 46;
  static final int OFF_COMM = 48;
  static final int COMM_BYTES = 16;
  static final int OFF_LOCAL = 64;
  static final int OFF_REMOTE = 84;
  static final int ADDR_BYTES = 16;
  static final int OFF_ADDR_PORT = 16;
  static final int OFF_ADDR_FAMILY = 18;
  static final int OFF_PAYLOAD_LEN = 104;

  static final int FLAG_TRUNCATED = 0x01;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;

  private static final CaptureEvent.Type[] TYPES = {
    null,
    CaptureEvent.Type.CONNECT,
    CaptureEvent.Type.ACCEPT,
    CaptureEvent.Type.DATA,
    CaptureEvent.Type.CLOSE
  };
  private static final CaptureEvent.Direction[] DIRECTIONS = {
    CaptureEvent.Direction.NONE, CaptureEvent.Direction.INGRESS, CaptureEvent.Direction.EGRESS
  };

  private final long epochOffsetNanos;
  private volatile long malformed;

  /**
   * @param epochOffsetNanos CLOCK_REALTIME - CLOCK_MONOTONIC in ns, measured at open
   */
  public EventDecoder(long epochOffsetNanos) {
    this.epochOffsetNanos = epochOffsetNanos;
  }

  public long epochOffsetNanos() {
    return epochOffsetNanos;
  }

  /** Records skipped so far because their layout was not understood. */
  public long malformed() {
    return malformed;
  }

  /**
   * Decodes the records in {@code batch[0, length)} and hands each to {@code sink} in order.
   * The buffer's position, limit and byte order are left untouched.
   *
   * @return how many events reached the sink
   */
  public int decode(ByteBuffer batch, int length, Consumer<CaptureEvent> sink) {
    ByteBuffer in = batch.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN); // absolute reads, whole capacity
    int end = Math.min(length, in.capacity());
    int pos = 0;
    int decoded = 0;
    long skipped = 0;
    while (end - pos >= RECORD_BYTES) {
      int size = in.getInt(pos + OFF_SIZE);
      if (size < RECORD_BYTES || size > MAX_RECORD_BYTES || size > end - pos) {
        skipped++; // framing lost: nothing after this point can be trusted
        break;
      }
      CaptureEvent event = decodeOne(in, pos, size);
      if (event == null) {
        skipped++;
      } else {
        sink.accept(event);
        decoded++;
      }
      pos += align(size);
    }
    if (pos < end && end - pos < RECORD_BYTES) {
      skipped++; // a tail too short for a record
    }
    if (skipped > 0) {
      malformed += skipped; // single writer: the polling thread
    }
    return decoded;
  }

  private CaptureEvent decodeOne(ByteBuffer in, int base, int size) {
    int version = Short.toUnsignedInt(in.getShort(base + OFF_VERSION));
    int typeCode = Short.toUnsignedInt(in.getShort(base + OFF_TYPE));
    int directionCode = Byte.toUnsignedInt(in.get(base + OFF_DIRECTION));
    int payloadLen = in.getInt(base + OFF_PAYLOAD_LEN);
    if (version != VERSION
        || typeCode <= 0
        || typeCode >= TYPES.length
        || directionCode >= DIRECTIONS.length
        || payloadLen < 0
        || payloadLen != size - RECORD_BYTES) {
      return null;
    }
    long endMono = in.getLong(base + OFF_TS);
    long startMono = in.getLong(base + OFF_START);
    byte[] payload = new byte[payloadLen];
    in.get(base + RECORD_BYTES, payload);
    return new CaptureEvent(
        TYPES[typeCode],
        DIRECTIONS[directionCode],
        startMono + epochOffsetNanos,
        endMono + epochOffsetNanos,
        in.getInt(base + OFF_PID),
        in.getInt(base + OFF_TID),
        in.getInt(base + OFF_FD),
        comm(in, base + OFF_COMM),
        address(in, base + OFF_LOCAL),
        address(in, base + OFF_REMOTE),
        in.getLong(base + OFF_RET),
        payload,
        (in.get(base + OFF_FLAGS) & FLAG_TRUNCATED) != 0);
  }

  /*
   * Decoding is the costly half of a drain (the native copy runs at memory speed), and
   * consecutive records mostly repeat a few processes and connections: small direct-mapped
   * caches keyed on the raw bytes spare a String or InetSocketAddress per record. Both values
   * are immutable, so sharing them between events is safe.
   */
  private static final int CACHE_SLOTS = 64;
  private final long[] commKeys = new long[CACHE_SLOTS * 2];
  private final String[] comms = new String[CACHE_SLOTS];
  private final long[] addressKeys = new long[CACHE_SLOTS * 3];
  private final InetSocketAddress[] addresses = new InetSocketAddress[CACHE_SLOTS];

  private String comm(ByteBuffer in, int at) {
    long k0 = in.getLong(at);
    long k1 = in.getLong(at + 8);
    int slot = slot(k0 * 31 + k1);
    if (comms[slot] != null && commKeys[slot * 2] == k0 && commKeys[slot * 2 + 1] == k1) {
      return comms[slot];
    }
    String comm = decodeComm(in, at);
    commKeys[slot * 2] = k0;
    commKeys[slot * 2 + 1] = k1;
    comms[slot] = comm;
    return comm;
  }

  private InetSocketAddress address(ByteBuffer in, int at) {
    long k0 = in.getLong(at);
    long k1 = in.getLong(at + 8);
    long k2 = Integer.toUnsignedLong(in.getInt(at + OFF_ADDR_PORT)); // port and family
    int slot = slot((k0 * 31 + k1) * 31 + k2);
    int base = slot * 3;
    if (addresses[slot] != null
        && addressKeys[base] == k0
        && addressKeys[base + 1] == k1
        && addressKeys[base + 2] == k2) {
      return addresses[slot];
    }
    InetSocketAddress address = decodeAddress(in, at);
    if (address != null) {
      addressKeys[base] = k0;
      addressKeys[base + 1] = k1;
      addressKeys[base + 2] = k2;
      addresses[slot] = address;
    }
    return address;
  }

  private static int slot(long hash) {
    long h = hash * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 58); // top 6 bits: 0..63
  }

  private static String decodeComm(ByteBuffer in, int at) {
    byte[] raw = new byte[COMM_BYTES];
    in.get(at, raw);
    int len = 0;
    while (len < COMM_BYTES && raw[len] != 0) {
      len++;
    }
    return new String(raw, 0, len, StandardCharsets.UTF_8);
  }

  /** Null when the family is unknown or the kernel had no address yet (any-address, port 0). */
  private static InetSocketAddress decodeAddress(ByteBuffer in, int at) {
    int family = Short.toUnsignedInt(in.getShort(at + OFF_ADDR_FAMILY));
    int port = Short.toUnsignedInt(in.getShort(at + OFF_ADDR_PORT));
    byte[] raw;
    if (family == AF_INET) {
      raw = new byte[4];
    } else if (family == AF_INET6) {
      raw = new byte[16];
    } else {
      return null;
    }
    in.get(at, raw);
    if (port == 0 && allZero(raw)) {
      return null;
    }
    try {
      // IPv4-mapped IPv6 addresses (a dual-stack listener) come back as Inet4Address.
      return new InetSocketAddress(InetAddress.getByAddress(raw), port);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always a valid address", e);
    }
  }

  private static boolean allZero(byte[] raw) {
    for (byte b : raw) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  static int align(int size) {
    return (size + RECORD_ALIGN - 1) & -RECORD_ALIGN;
  }
}
