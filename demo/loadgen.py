#!/usr/bin/env python3
"""Demo load generator: a steady mix of requests to the frontend, until stopped.

Usage: loadgen.py FRONTEND_URL [REQUESTS_PER_SECOND] [SECONDS]
Prints a line every 10 s with what it sent and the status codes it got.
"""
import collections
import random
import sys
import time
import urllib.error
import urllib.request

URL = sys.argv[1]
RATE = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
DURATION = float(sys.argv[3]) if len(sys.argv) > 3 else float("inf")
PATHS = ["/"] * 6 + ["/search"] * 3 + ["/checkout"] * 2

statuses = collections.Counter()
start = last_report = time.monotonic()
sent = 0
while time.monotonic() - start < DURATION:
    path = random.choice(PATHS)
    try:
        with urllib.request.urlopen(URL + path, timeout=10) as resp:
            resp.read()
            statuses[resp.status] += 1
    except urllib.error.HTTPError as err:
        statuses[err.code] += 1
    except OSError as err:
        statuses[type(err).__name__] += 1
    sent += 1
    now = time.monotonic()
    if now - last_report >= 10:
        print(f"loadgen: {sent} requests sent, statuses {dict(statuses)}", flush=True)
        last_report = now
    time.sleep(max(0.0, sent / RATE - (now - start)))
