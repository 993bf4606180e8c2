#!/usr/bin/env python3
"""Demo service "frontend": a plain http.server that calls two other services.

It contains no tracing code on purpose: Rootline sees its requests through eBPF only.
Usage: frontend.py PORT CATALOG_URL CART_URL
"""
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
CATALOG = sys.argv[2]
CART = sys.argv[3]


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
        if self.path == "/":
            calls = [call(CATALOG + "/items"), call(CART + "/cart")]
        elif self.path.startswith("/search"):
            calls = [call(CATALOG + "/search?q=shoes")]
        elif self.path == "/checkout":
            calls = [call(CATALOG + "/items"), call(CART + "/cart"), call(CART + "/checkout")]
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


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
