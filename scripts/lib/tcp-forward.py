#!/usr/bin/env python3
"""Forwards TCP connections: tcp-forward.py LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT.

Used by `./rootline demo --hosts N` to make node 1's API (inside a network-namespace host)
answer on the machine's loopback. One thread per direction per connection; it runs in the
machine's own namespace, which no demo node captures, so it adds no spans.
"""
import socket
import sys
import threading

LISTEN = (sys.argv[1], int(sys.argv[2]))
TARGET = (sys.argv[3], int(sys.argv[4]))


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                s.shutdown(how)
            except OSError:
                pass


def serve(client):
    try:
        upstream = socket.create_connection(TARGET, timeout=10)
        upstream.settimeout(None)
    except OSError as err:
        print("cannot reach %s:%d: %s" % (TARGET[0], TARGET[1], err), flush=True)
        client.close()
        return
    down = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    down.start()
    pump(client, upstream)
    down.join()
    client.close()
    upstream.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(LISTEN)
server.listen(64)
print("forwarding %s:%d -> %s:%d" % (LISTEN + TARGET), flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
