"""Runtime-switchable faults for the demo's Python services (the fault lab's switches).

A service reads its switches from the file named by the environment variable
ROOTLINE_DEMO_FAULTS (no variable, no file or an empty file: no fault). The file holds
`key=value` lines and is re-read whenever its modification time changes, so a fault is switched
on or off by rewriting the file (write a temporary file and rename it over the old one):

  delay_ms=300          every matching request waits this long first (±10%)
  delay_path=/search    ...only requests whose path starts with this (default: all)
  error_rate=1.0        this share of matching requests is answered 500
  error_path=/checkout  ...only requests whose path starts with this (default: all)
  error_attr=item=7     ...only requests whose query has this parameter value (default: any)

Demo/Catalog.java reads the same file format.
"""
import os
import random
import time
import urllib.parse

_ENV = "ROOTLINE_DEMO_FAULTS"


class Faults:
    def __init__(self, path=None):
        self.path = path if path is not None else os.environ.get(_ENV, "")
        self._mtime = None
        self._switches = {}

    def switches(self):
        """The current switches; the file is only read when it changed."""
        if not self.path:
            return {}
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except OSError:
            self._mtime, self._switches = None, {}
            return self._switches
        if mtime != self._mtime:
            switches = {}
            try:
                with open(self.path, encoding="utf-8") as f:
                    for line in f:
                        key, sep, value = line.strip().partition("=")
                        if sep and not key.startswith("#"):
                            switches[key.strip()] = value.strip()
            except OSError:
                pass
            self._mtime, self._switches = mtime, switches
        return self._switches

    def apply(self, target):
        """Injects what is switched on for a request to `target` (path?query). Returns an error
        status to answer instead of the normal response, or None."""
        s = self.switches()
        if not s:
            return None
        parsed = urllib.parse.urlsplit(target)
        path = parsed.path
        delay = _number(s.get("delay_ms"), 0.0)
        if delay > 0 and path.startswith(s.get("delay_path", "")):
            time.sleep(delay * random.uniform(0.9, 1.1) / 1000.0)
        attr = s.get("error_attr", "")
        rate = _number(s.get("error_rate"), 1.0 if attr else 0.0)
        if rate > 0 and path.startswith(s.get("error_path", "")):
            if attr:
                name, _, value = attr.partition("=")
                if value not in urllib.parse.parse_qs(parsed.query).get(name, []):
                    return None
            if random.random() < rate:
                return 500
        return None


def _number(text, default):
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        return default
