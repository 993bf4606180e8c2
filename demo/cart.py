#!/usr/bin/env python3
"""Demo service "cart": /cart answers at once, /checkout fails with 500 now and then.

No tracing code. Usage: cart.py PORT [FAILURE_SHARE]
Environment (all optional): DEMO_BIND address to listen on (default 127.0.0.1);
DEMO_REDIS host:port of a Redis that /cart reads and /checkout writes (default: none);
ROOTLINE_DEMO_FAULTS the fault switch file (see faults.py).
"""
import os
import random
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from faults import Faults
from resp import Redis

PORT = int(sys.argv[1])
FAILURE_SHARE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
BIND = os.environ.get("DEMO_BIND", "127.0.0.1")
REDIS = Redis(*os.environ["DEMO_REDIS"].rsplit(":", 1)) if os.environ.get("DEMO_REDIS") else None
FAULTS = Faults()


def item_of(target):
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("item", ["0"])
    return values[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        injected = FAULTS.apply(self.path)
        if injected:
            self.reply(injected, b'{"error":"injected fault"}')
            return
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path == "/cart":
                if REDIS:
                    REDIS.command("GET", "cart:" + item_of(self.path))
                self.reply(200, b'{"items":[1,2,3]}')
            elif path == "/checkout":
                if random.random() < FAILURE_SHARE:
                    self.reply(500, b'{"error":"payment backend refused the order"}')
                    return
                if REDIS:
                    REDIS.command("INCR", "orders:" + item_of(self.path))
                self.reply(200, b'{"order":"accepted"}')
            else:
                self.reply(404, b'{"error":"not found"}')
        except Exception as err:  # Redis down or refusing: the request fails, the service lives
            self.reply(503, b'{"error":"store unavailable: %s"}' % type(err).__name__.encode())

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer((BIND, PORT), Handler).serve_forever()
