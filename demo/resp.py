"""A minimal Redis client over a raw socket (RESP2), so the demo needs nothing from pip.

Connections are pooled and kept open: Rootline sees a few long-lived connections carrying many
commands, as with a real client library.
"""
import queue
import socket


class RedisError(Exception):
    pass


class Redis:
    def __init__(self, host, port, timeout=5.0, pool_size=16):
        self.address = (host, int(port))
        self.timeout = timeout
        self.pool = queue.LifoQueue(maxsize=pool_size)

    def command(self, *args):
        conn = self._take()
        try:
            conn.sendall(_encode(args))
            reply = _read_reply(conn.makefile("rb"))
        except (OSError, RedisError, ValueError):
            conn.close()
            raise
        self._give(conn)
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def _take(self):
        try:
            return self.pool.get_nowait()
        except queue.Empty:
            conn = socket.create_connection(self.address, timeout=self.timeout)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn

    def _give(self, conn):
        try:
            self.pool.put_nowait(conn)
        except queue.Full:
            conn.close()


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def _read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise RedisError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        return RedisError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise RedisError("unexpected reply %r" % line)
