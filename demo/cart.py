#!/usr/bin/env python3
"""Demo service "cart": /cart answers at once, /checkout fails with 500 now and then.

No tracing code. Usage: cart.py PORT [FAILURE_SHARE]
"""
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
FAILURE_SHARE = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/cart":
            self.reply(200, b'{"items":[1,2,3]}')
        elif self.path == "/checkout":
            if random.random() < FAILURE_SHARE:
                self.reply(500, b'{"error":"payment backend refused the order"}')
            else:
                self.reply(200, b'{"order":"accepted"}')
        else:
            self.reply(404, b'{"error":"not found"}')

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
