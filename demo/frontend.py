#!/usr/bin/env python3
"""Demo service "frontend": a plain http.server that calls two other services.

It contains no tracing code on purpose: Rootline sees its requests through eBPF only.
Usage: frontend.py PORT CATALOG_URL[,CATALOG_URL...] CART_URL[,CART_URL...]
Several URLs of a service are its replicas, called in turn (round robin). A request's `item`
query parameter is passed on to the cart and the catalog.
Environment (optional): DEMO_BIND address to listen on (default 127.0.0.1);
ROOTLINE_DEMO_FAULTS the fault switch file (see faults.py).
"""
import itertools
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from faults import Faults

PORT = int(sys.argv[1])
BIND = os.environ.get("DEMO_BIND", "127.0.0.1")
FAULTS = Faults()


class Replicas:
    """The URLs of one service, handed out in turn."""

    def __init__(self, urls):
        self._cycle = itertools.cycle(u for u in urls.split(",") if u)
        self._lock = threading.Lock()

    def next(self):
        with self._lock:
            return next(self._cycle)


CATALOG = Replicas(sys.argv[2])
CART = Replicas(sys.argv[3])


def call(url):
    """GET url; returns (status, body). Errors of the callee become their status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError as err:
        return 502, str(err).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        injected = FAULTS.apply(self.path)
        if injected:
            self.reply(injected, b'{"error":"injected fault"}')
            return
        parsed = urllib.parse.urlsplit(self.path)
        item = urllib.parse.parse_qs(parsed.query).get("item", [""])[0]
        suffix = "?item=" + urllib.parse.quote(item) if item else ""
        if parsed.path == "/":
            calls = [call(CATALOG.next() + "/items" + suffix), call(CART.next() + "/cart" + suffix)]
        elif parsed.path.startswith("/search"):
            calls = [call(CATALOG.next() + "/search?q=shoes")]
        elif parsed.path == "/checkout":
            cart = CART.next()  # one replica serves the whole checkout
            calls = [call(CATALOG.next() + "/items" + suffix), call(cart + "/cart" + suffix),
                     call(cart + "/checkout" + suffix)]
        else:
            self.reply(404, b'{"error":"not found"}')
            return
        status = max(s for s, _ in calls)
        body = b'{"parts":%d}' % len(calls) if status < 500 else b'{"error":"upstream failed"}'
        self.reply(200 if status < 400 else status, body)

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer((BIND, PORT), Handler).serve_forever()
