#!/usr/bin/env python3
"""Demo load generator: a steady mix of requests to the frontend, until stopped.

Usage: loadgen.py FRONTEND_URL [REQUESTS_PER_SECOND] [SECONDS] [OUTCOMES_FILE]
Prints a line every 10 s with what it sent and the status codes it got. Each request carries an
`item` query parameter (1..8). With OUTCOMES_FILE, every request is also appended there as a
line "START_EPOCH_MS DURATION_MS STATUS PATH" (the fault lab's record of what users saw).
"""
import collections
import random
import sys
import time
import urllib.error
import urllib.request

URL = sys.argv[1]
RATE = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
DURATION = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else float("inf")
OUTCOMES = open(sys.argv[4], "a", buffering=1) if len(sys.argv) > 4 else None
PATHS = ["/"] * 6 + ["/search"] * 3 + ["/checkout"] * 2

statuses = collections.Counter()
start = last_report = time.monotonic()
sent = 0
while time.monotonic() - start < DURATION:
    path = "%s?item=%d" % (random.choice(PATHS), random.randint(1, 8))
    began = time.time()
    try:
        with urllib.request.urlopen(URL + path, timeout=10) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError as err:
        status = type(err).__name__
    statuses[status] += 1
    if OUTCOMES:
        OUTCOMES.write("%d %d %s %s\n" % (began * 1000, (time.time() - began) * 1000, status, path))
    sent += 1
    now = time.monotonic()
    if now - last_report >= 10:
        print(f"loadgen: {sent} requests sent, statuses {dict(statuses)}", flush=True)
        last_report = now
    time.sleep(max(0.0, sent / RATE - (now - start)))
