package dev.rootline.chaos.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that adds a switchable one-way delay, because this kernel has no netem.
 *
 * <p>It listens on one address and forwards every accepted connection to one target. Each
 * direction of each connection is a reader thread and a writer thread joined by a bounded queue:
 * the reader stamps every chunk it reads with "release at read time + current delay", the writer
 * sends chunks in order no earlier than their stamp. So every byte arrives {@code delay} later than
 * it would have, bytes of a connection stay in order (also while the delay changes), and throughput
 * is not throttled beyond what {@link #MAX_QUEUED_CHUNKS} x {@link #CHUNK_BYTES} in flight allows.
 * A full queue stops the reader, so TCP flow control pushes back on the sender instead of memory
 * growing. Half-closes are forwarded; an error on either side resets both.
 *
 * <p>The delay applies to each direction, so a request/response round trip through the proxy takes
 * {@code 2 x delay} longer. Put in front of a Pekko Artery port (the node binds its real port and
 * advertises the proxy's as canonical), every message to that node arrives {@code delay} late.
 *
 * <p>Plain platform threads (4 per connection): Artery opens a handful of long-lived connections per
 * peer, so thread-per-direction is simple and cheap enough.
 */
public final class LatencyProxy implements AutoCloseable {

  /** Largest chunk read at once. */
  public static final int CHUNK_BYTES = 16 * 1024;

  /** Chunks queued per direction before the reader stops reading (at most 4 MiB). */
  public static final int MAX_QUEUED_CHUNKS = 256;

  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final AtomicInteger PROXIES = new AtomicInteger();

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final String label;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong bytesForwarded = new AtomicLong();
  private final AtomicLong connectionsAccepted = new AtomicLong();
  private final AtomicLong connectionsFailed = new AtomicLong();
  private volatile long delayNanos;

  /**
   * Binds {@code listen} (port 0 picks a free port, see {@link #localAddress()}) and starts
   * accepting; connections go to {@code target}, which need not be up yet (a connection accepted
   * while it is down is closed at once).
   */
  public LatencyProxy(InetSocketAddress listen, InetSocketAddress target) throws IOException {
    if (listen == null || target == null) {
      throw new IllegalArgumentException("listen and target addresses are required");
    }
    if (target.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve proxy target " + target);
    }
    this.target = target;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    try {
      server.bind(listen, 128);
    } catch (IOException e) {
      server.close();
      throw new IOException("latency proxy cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    this.label = "latency-proxy-" + PROXIES.incrementAndGet() + "-" + server.getLocalPort();
    this.acceptor = new Thread(this::acceptLoop, label + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The address the proxy listens on, with the actual port. */
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  public InetSocketAddress target() {
    return target;
  }

  /** Sets the delay added to each direction, for bytes read from now on; zero turns it off. */
  public void setDelay(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("delay must be zero or positive, got " + delay);
    }
    delayNanos = delay.toNanos();
  }

  public Duration delay() {
    return Duration.ofNanos(delayNanos);
  }

  /** Connections currently open through the proxy. */
  public int openConnections() {
    return connections.size();
  }

  /** Connections accepted since start. */
  public long connectionsAccepted() {
    return connectionsAccepted.get();
  }

  /** Accepted connections that could not reach the target. */
  public long connectionsFailed() {
    return connectionsFailed.get();
  }

  /** Bytes written to either side since start. */
  public long bytesForwarded() {
    return bytesForwarded.get();
  }

  /** Resets every open connection (both sides), leaving the proxy listening. */
  public void dropConnections() {
    for (Connection connection : connections) {
      connection.abort();
    }
  }

  /**
   * This proxy's delay as a {@link Fault}: inject sets {@code delay}, heal sets it back to zero.
   * Closing the fault heals it; it does not stop the proxy.
   */
  @SuppressWarnings("try") // the anonymous Fault's close() heals; see Fault
  public Fault latencyFault(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("delay must be zero or positive, got " + delay);
    }
    return new Fault() {
      @Override
      public String name() {
        return "latency +" + delay.toMillis() + "ms each way via " + localAddress() + " -> " + target;
      }

      @Override
      public void inject() {
        setDelay(delay);
      }

      @Override
      public void heal() {
        setDelay(Duration.ZERO);
      }

      @Override
      public String toString() {
        return name();
      }
    };
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Stops listening and resets every open connection. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(server);
    dropConnections();
    try {
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "LatencyProxy[" + localAddress() + " -> " + target + ", delay " + delay().toMillis() + "ms]";
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        // A transient accept failure (e.g. out of file descriptors): back off, keep serving.
        sleepQuietly(50);
        continue;
      }
      connectionsAccepted.incrementAndGet();
      Connection connection = new Connection(client, connectionsAccepted.get());
      connections.add(connection);
      if (closed.get()) {
        connection.abort();
        return;
      }
      connection.start();
    }
  }

  /** One proxied connection: client <-> upstream, one pump per direction. */
  private final class Connection {
    private final Socket client;
    private final Socket upstream = new Socket();
    private final String name;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicInteger directionsDone = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    Connection(Socket client, long id) {
      this.client = client;
      this.name = label + "-c" + id;
    }

    void start() {
      spawn(name + "-connect", this::connectAndPump);
    }

    private void connectAndPump() {
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
        InputStream fromClient = client.getInputStream();
        OutputStream toClient = client.getOutputStream();
        InputStream fromUpstream = upstream.getInputStream();
        OutputStream toUpstream = upstream.getOutputStream();
        new Direction(fromClient, toUpstream, upstream, name + "-c2t").start();
        new Direction(fromUpstream, toClient, client, name + "-t2c").start();
      } catch (IOException e) {
        connectionsFailed.incrementAndGet();
        abort();
      }
    }

    /** Called when one direction has delivered its end of stream; the second one closes both. */
    void directionDone() {
      if (directionsDone.incrementAndGet() == 2) {
        finish();
      }
    }

    /** Closes both sockets and stops the pumps; an abrupt close resets the peers. */
    void abort() {
      resetOnClose(client);
      resetOnClose(upstream);
      finish();
    }

    private void finish() {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      closeQuietly(client);
      closeQuietly(upstream);
      for (Thread thread : threads) {
        if (thread != Thread.currentThread()) {
          thread.interrupt();
        }
      }
      connections.remove(this);
    }

    private void spawn(String threadName, Runnable body) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  body.run();
                } finally {
                  threads.remove(Thread.currentThread());
                }
              },
              threadName);
      thread.setDaemon(true);
      threads.add(thread);
      if (finished.get()) {
        threads.remove(thread);
        return;
      }
      thread.start();
    }

    /** One direction: a reader stamping chunks, a writer releasing them in order when due. */
    private final class Direction {
      private final InputStream in;
      private final OutputStream out;
      private final Socket outSocket;
      private final String name;
      private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(MAX_QUEUED_CHUNKS);

      Direction(InputStream in, OutputStream out, Socket outSocket, String name) {
        this.in = in;
        this.out = out;
        this.outSocket = outSocket;
        this.name = name;
      }

      void start() {
        spawn(name + "-write", this::writeLoop);
        spawn(name + "-read", this::readLoop);
      }

      private void readLoop() {
        byte[] buffer = new byte[CHUNK_BYTES];
        try {
          while (true) {
            int n = in.read(buffer);
            if (n < 0) {
              queue.put(Chunk.END);
              return;
            }
            if (n > 0) {
              queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
            }
          }
        } catch (IOException | InterruptedException e) {
          abort();
        }
      }

      private void writeLoop() {
        try {
          while (true) {
            Chunk chunk = queue.take();
            if (chunk == Chunk.END) {
              outSocket.shutdownOutput();
              directionDone();
              return;
            }
            long wait;
            while ((wait = chunk.releaseAtNanos - System.nanoTime()) > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            out.write(chunk.bytes);
            bytesForwarded.addAndGet(chunk.bytes.length);
          }
        } catch (IOException | InterruptedException e) {
          abort();
        }
      }
    }
  }

  private record Chunk(byte[] bytes, long releaseAtNanos) {
    static final Chunk END = new Chunk(new byte[0], 0);
  }

  private static void resetOnClose(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // already closed: nothing to reset
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing during shutdown: nothing left to do
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
