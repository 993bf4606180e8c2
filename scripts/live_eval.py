#!/usr/bin/env python3
"""The fault schedule and the scoring of the live fault lab (started by scripts/live-eval.sh).

Given the lab's topology (hosts, service instances, their fault switch files, Redis, the node's
API), it warms the models up on normal traffic, then injects each fault for a fixed period,
switches it off, waits for the traces to be decided and compares Rootline's ranked root causes
with the fault's ground truth. Standard library only.

Ground truth and matching rules (a candidate is {level, subject, service, host, probability}):
  host-latency     every service on one host answers late    HOST candidate naming that host
  slow-endpoint    one endpoint of a service (all replicas)  SERVICE of that service, or
                                                             ENDPOINT of it whose subject has the path
  endpoint-errors  one endpoint answers 500 (all replicas)   as slow-endpoint
  bad-replica      one of two replicas is slow or failing    HOST naming the replica's host, or
                                                             SERVICE/ENDPOINT of that service whose
                                                             host is the replica's host
  attribute        requests with item=N fail at one service  ATTRIBUTE whose subject has "item=N"
  slow-dependency  Redis answers late (DEBUG SLEEP)          SERVICE/ENDPOINT whose service or
                                                             subject names redis
A fault is ranked at k when a matching candidate is among the first k of the ranking judged.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

BEGIN = "<!-- live:begin -->"
END = "<!-- live:end -->"
KINDS = ["host-latency", "slow-endpoint", "endpoint-errors", "bad-replica", "attribute", "slow-dependency"]


def log(msg):
    print("[live-eval] " + msg, file=sys.stderr, flush=True)


# ---- the API ----

class Api:
    def __init__(self, base, token=None):
        self.base = base.rstrip("/")
        # the node's API needs a bearer token (topology.json "token"; see api/README.md)
        self.headers = {"Authorization": "Bearer " + token} if token else {}

    def get(self, path, params=None):
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=self.headers), timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, None
        except (OSError, ValueError):
            return 0, None

    def stats(self):
        status, body = self.get("/stats")
        pipeline = (body or {}).get("pipeline", {}) if status == 200 else {}
        return {"decided": pipeline.get("tracesDecided", 0), "retained": pipeline.get("retained", 0)}

    def traces(self, from_ms, to_ms):
        """Summaries of retained traces that started in [from_ms, to_ms), all pages."""
        seen, out, to = set(), [], to_ms
        while to > from_ms:
            status, body = self.get("/traces", {"from": iso(from_ms), "to": iso(to), "limit": 1000})
            items = (field(body, "traces", "items", default=[]) or []) if status == 200 else []
            fresh = [t for t in items if t.get("traceId") not in seen]
            for t in fresh:
                seen.add(t["traceId"])
                out.append(t)
            if len(items) < 1000 or not fresh:
                break
            to = min(t["startEpochNanos"] for t in items) // 1_000_000 + 1
        return out

    def trace(self, trace_id):
        status, body = self.get("/traces/" + trace_id)
        return body if status == 200 else None

    def issues(self):
        """Every issue as the list endpoint gives it, or None when there is no issues endpoint."""
        status, body = self.get("/issues", {"limit": 1000})
        if status != 200:
            return None
        if isinstance(body, list):
            return body
        for key in ("items", "issues"):
            if isinstance(body, dict) and isinstance(body.get(key), list):
                return body[key]
        return []

    def issue(self, issue_id):
        status, body = self.get("/issues/" + urllib.parse.quote(issue_id, safe=""))
        return body if status == 200 else None


def iso(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)


def now_ms():
    return int(time.time() * 1000)


def root_causes(body):
    """The ranked candidates of a trace or issue JSON, wherever the API put them."""
    if not isinstance(body, dict):
        return []
    for holder in (body, body.get("trace"), body.get("issue"), body.get("summary")):
        if isinstance(holder, dict) and isinstance(holder.get("rootCauses"), list):
            return holder["rootCauses"]
    return []


def field(d, *names, default=None):
    for n in names:
        if isinstance(d, dict) and d.get(n) is not None:
            return d[n]
    return default


# ---- faults ----

class Lab:
    def __init__(self, topo):
        self.topo = topo
        self.hosts = topo["hosts"]
        self.instances = topo["instances"]
        self.redis_slowdown = None

    def ns(self, host):
        return self.hosts[host]

    def on_host(self, host):
        return [name for name, i in self.instances.items() if i["host"] == host]

    def replicas(self, prefix):
        return [name for name in self.instances if name.startswith(prefix)]

    def switch(self, instance, lines):
        path = self.instances[instance]["faults"]
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        os.replace(tmp, path)  # services see the whole file or the old one, never half

    def clear(self):
        for name in self.instances:
            self.switch(name, [])
        if self.redis_slowdown is not None:
            os.killpg(self.redis_slowdown.pid, signal.SIGTERM)
            self.redis_slowdown.wait(timeout=10)
            self.redis_slowdown = None

    def slow_redis(self, sleep_s, interval_s):
        """Redis blocks for sleep_s every interval_s (DEBUG SLEEP from redis-cli on its host)."""
        r = self.topo["redis"]
        self.redis_slowdown = subprocess.Popen(
            ["ip", "netns", "exec", r["ns"], "redis-cli", "-h", r["address"], "-p", str(r["port"]),
             "-r", "-1", "-i", str(interval_s), "DEBUG", "SLEEP", str(sleep_s)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def schedule(lab):
    """Each kind with two targets: (kind, label, truth, switch-on function)."""
    svc = {n: i["service"] for n, i in lab.instances.items()}
    host_ns = lab.ns

    def on(pairs):
        def apply():
            for instance, lines in pairs:
                lab.switch(instance, lines)
        return apply

    def redis(sleep_s, interval_s):
        return lambda: lab.slow_redis(sleep_s, interval_s)

    return {
        "host-latency": [
            ("h2 +150 ms", {"host": host_ns("h2")}, on([(i, ["delay_ms=150"]) for i in lab.on_host("h2")])),
            ("h3 +150 ms", {"host": host_ns("h3")}, on([(i, ["delay_ms=150"]) for i in lab.on_host("h3")])),
        ],
        "slow-endpoint": [
            ("catalog /search +300 ms", {"service": svc["catalog-a"], "path": "/search"},
             on([(i, ["delay_ms=300", "delay_path=/search"]) for i in lab.replicas("catalog")])),
            ("cart /cart +250 ms", {"service": svc["cart-a"], "path": "/cart"},
             on([(i, ["delay_ms=250", "delay_path=/cart"]) for i in lab.replicas("cart")])),
        ],
        "endpoint-errors": [
            ("cart /checkout 60% 500", {"service": svc["cart-a"], "path": "/checkout"},
             on([(i, ["error_rate=0.6", "error_path=/checkout"]) for i in lab.replicas("cart")])),
            ("catalog /items 40% 500", {"service": svc["catalog-a"], "path": "/items"},
             on([(i, ["error_rate=0.4", "error_path=/items"]) for i in lab.replicas("catalog")])),
        ],
        "bad-replica": [
            ("cart on h3 +300 ms", {"service": svc["cart-b"], "host": host_ns("h3")},
             on([("cart-b", ["delay_ms=300"])])),
            ("catalog on h2 50% 500", {"service": svc["catalog-a"], "host": host_ns("h2")},
             on([("catalog-a", ["error_rate=0.5"])])),
        ],
        "attribute": [
            ("item=7 fails at cart", {"service": svc["cart-a"], "attr": "item=7"},
             on([(i, ["error_attr=item=7"]) for i in lab.replicas("cart")])),
            ("item=3 fails at catalog /items", {"service": svc["catalog-a"], "attr": "item=3"},
             on([(i, ["error_attr=item=3", "error_path=/items"]) for i in lab.replicas("catalog")])),
        ],
        "slow-dependency": [
            ("redis DEBUG SLEEP 0.2 s every 0.1 s", {"service": "redis"}, redis(0.2, 0.1)),
            ("redis DEBUG SLEEP 0.3 s every 0.3 s", {"service": "redis"}, redis(0.3, 0.3)),
        ],
    }


def matches(kind, truth, c):
    level = (c.get("level") or "").upper()
    subject = c.get("subject") or ""
    service = c.get("service") or ""
    host = c.get("host") or ""
    if kind == "host-latency":
        return level == "HOST" and truth["host"] in (subject, host)
    if kind in ("slow-endpoint", "endpoint-errors"):
        if level == "SERVICE":
            return truth["service"] in (service, subject)
        return level == "ENDPOINT" and (service == truth["service"] or subject.startswith(truth["service"])) \
            and truth["path"] in subject
    if kind == "bad-replica":
        if level == "HOST":
            return truth["host"] in (subject, host)
        return level in ("SERVICE", "ENDPOINT") and host == truth["host"] \
            and (service == truth["service"] or subject.startswith(truth["service"]))
    if kind == "attribute":
        if level != "ATTRIBUTE":
            return False
        value = truth["attr"]
        return any(tok.strip(",;()\"'") == value for tok in subject.replace("&", " ").split())
    if kind == "slow-dependency":
        return level in ("SERVICE", "ENDPOINT") and ("redis" in service or "redis" in subject)
    return False


def rank_of(kind, truth, ranking):
    for i, c in enumerate(ranking):
        if matches(kind, truth, c):
            return i + 1
    return None


def short(c):
    return "%s %s (%.2f)" % ((c.get("level") or "").upper(), c.get("subject"), c.get("probability") or 0.0)


# ---- what the load generator saw ----

def read_outcomes(path):
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split(" ", 3)
                if len(parts) == 4:
                    out.append((int(parts[0]), int(parts[1]), parts[2], parts[3].strip()))
    except OSError:
        pass
    return out


def percentile(values, p):
    if not values:
        return 0
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def template(path):
    return path.split("?", 1)[0]


def latency_bounds(outcomes):
    """Per path (query stripped): twice the p99 of normal requests, at least 50 ms."""
    by_path = {}
    for _, duration, status, path in outcomes:
        if status.startswith("2"):
            by_path.setdefault(template(path), []).append(duration)
    return {p: max(50, 2 * percentile(d, 0.99)) for p, d in by_path.items()}


def anomalous(outcome, bounds):
    _, duration, status, path = outcome
    return not status.startswith("2") or duration > bounds.get(template(path), 1000)


# ---- judging one fault window ----

def judge_issues(api, kind, truth, t_on, t_end):
    """The ranking of the issue with the most occurrences in the window, or None without issues."""
    issues = api.issues()
    if issues is None:
        return None
    best, best_count = None, 0
    for summary in issues:
        issue_id = field(summary, "issueId", "id")
        last = field(summary, "lastSeenMillis", "lastSeenEpochMillis", default=0)
        service = field(summary, "service", default="") or ""
        if not issue_id or last < t_on or injector_root(service):
            continue
        detail = api.issue(issue_id)
        if detail is None:
            continue
        timeline = field(detail, "timeline", default=None)
        if isinstance(timeline, list) and timeline:
            # Buckets may be wider than the window: count those that overlap it.
            starts = sorted(bucket_start(b) for b in timeline)
            gaps = [b - a for a, b in zip(starts, starts[1:]) if b > a]
            # One bucket alone says nothing of its width: the API's default is 10 minutes.
            width = min(gaps) if gaps else 600_000
            count = sum(field(b, "occurrences", "count", default=0) for b in timeline
                        if bucket_start(b) < t_end and bucket_start(b) + width > t_on)
        else:
            count = field(summary, "occurrences", default=1)
        ranking = root_causes(detail) or ([summary["topRootCause"]] if summary.get("topRootCause") else [])
        if count > best_count and ranking:
            best, best_count = {"issue": issue_id, "title": field(summary, "title", default=""),
                                "occurrences": count, "ranking": ranking}, count
    return best


def bucket_start(bucket):
    start = field(bucket, "startEpochMillis", "startMillis", default=None)
    return start if isinstance(start, (int, float)) else -1


def injector_root(service):
    """Traces and issues rooted at Redis are the fault injector's own DEBUG SLEEP commands."""
    return (service or "").startswith("redis-server")


def judge_traces(api, traces):
    """Mean of the rankings of the window's retained (non-baseline) traces, best first."""
    tally, n = {}, 0
    for t in traces:
        if injector_root(t.get("rootService")):
            continue
        body = api.trace(t["traceId"])
        verdict = field(body, "verdict", default=None) or field((body or {}).get("trace"), "verdict", default="")
        if verdict == "baseline":
            continue
        ranking = root_causes(body)
        if not ranking:
            continue
        n += 1
        for c in ranking:
            key = (c.get("level"), c.get("subject"), c.get("service"), c.get("host"))
            tally[key] = tally.get(key, 0.0) + float(c.get("probability") or 0.0)
    ranked = sorted(tally.items(), key=lambda kv: -kv[1])
    return n, [{"level": k[0], "subject": k[1], "service": k[2], "host": k[3], "probability": v / n}
               for k, v in ranked]


def matched_requests(outcomes, traces):
    """How many of these load generator requests have a retained trace (root path and start)."""
    by_path = {}
    for t in traces:
        by_path.setdefault(t.get("rootPath"), []).append(t["startEpochNanos"] / 1e6)
    found = 0
    for began, duration, _, path in outcomes:
        starts = by_path.get(path, [])
        if any(began - 50 <= s <= began + duration + 50 for s in starts):
            found += 1
    return found


# ---- the run ----

def countdown(seconds, what):
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return
        if int(left) % 15 == 0 or left < 1:
            log("%s: %d s left" % (what, int(left)))
        time.sleep(min(1.0, left))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topology")
    ap.add_argument("--from-json", help="render (and with --write-docs write) a saved --json report")
    ap.add_argument("--command", default="./rootline eval --live")
    ap.add_argument("--docs", default="docs/EVALUATION.md")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--fault-seconds", type=float, default=40)
    ap.add_argument("--warmup-seconds", type=float, default=120)
    ap.add_argument("--normal-seconds", type=float, default=45)
    ap.add_argument("--settle-seconds", type=float, default=15)
    ap.add_argument("--gap-seconds", type=float, default=45)
    ap.add_argument("--rate", type=float, default=10)
    ap.add_argument("--min-ac3", type=float, default=None,
                    help="exit with status 3 when AC@3 is below this (0..1): a floor for test runs")
    ap.add_argument("--min-recall", type=float, default=None,
                    help="exit with status 3 when the anomalous-request recall is below this (0..1)")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as f:
            report = json.load(f)
        print(render(report))
        if args.write_docs:
            write_docs(args.docs, report)
        return
    if not args.topology:
        sys.exit("--topology (or --from-json) is required")

    with open(args.topology, encoding="utf-8") as f:
        topo = json.load(f)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        sys.exit("unknown fault kinds %s (known: %s)" % (unknown, ", ".join(KINDS)))
    api = Api(topo["api"], topo.get("token"))
    lab = Lab(topo)
    faults = schedule(lab)

    log("warm-up: %d s of normal traffic so baselines and models exist" % args.warmup_seconds)
    countdown(args.warmup_seconds, "warm-up")
    normal = {"decided": 0, "retained": 0}
    before = api.stats()
    normal_from = now_ms()
    countdown(args.normal_seconds, "normal traffic (share of normal traces retained)")
    after = api.stats()
    normal["decided"] += after["decided"] - before["decided"]
    normal["retained"] += after["retained"] - before["retained"]
    # The latency bound comes from the normal phase, not the warm-up (JIT, first connections).
    bound_ms = latency_bounds([o for o in read_outcomes(topo["outcomes"]) if o[0] >= normal_from])
    log("a request not answered 2xx or slower than these bounds counts as anomalous: %s"
        % ", ".join("%s %d ms" % kv for kv in sorted(bound_ms.items())))

    results = []
    plan = [(k, *faults[k][r % len(faults[k])]) for r in range(args.repeats) for k in kinds]
    for n, (kind, label, truth, switch_on) in enumerate(plan, 1):
        log("fault %d/%d: %s — %s, for %d s" % (n, len(plan), kind, label, args.fault_seconds))
        t_on = now_ms()
        switch_on()
        try:
            countdown(args.fault_seconds, "%s on" % kind)
        finally:
            lab.clear()
        t_off = now_ms()
        log("fault off; waiting %d s for its traces to be decided" % args.settle_seconds)
        time.sleep(args.settle_seconds)
        t_end = now_ms()

        window = [o for o in read_outcomes(topo["outcomes"]) if t_on <= o[0] < t_off]
        bad = [o for o in window if anomalous(o, bound_ms)]
        traces = api.traces(t_on - 1000, t_off + 1000)
        issue = judge_issues(api, kind, truth, t_on, t_end)
        n_traces, trace_ranking = judge_traces(api, traces)
        r = {
            "kind": kind, "target": label, "truth": truth, "from": iso(t_on), "to": iso(t_off),
            "requests": len(window), "anomalous_requests": len(bad),
            "anomalous_retained": matched_requests(bad, traces), "retained_traces": len(traces),
            "ranked_traces": n_traces,
            "trace_rank": rank_of(kind, truth, trace_ranking),
            "trace_top3": [short(c) for c in trace_ranking[:3]],
        }
        if issue is not None:
            r.update({"issue": issue["issue"], "issue_title": issue["title"],
                      "issue_rank": rank_of(kind, truth, issue["ranking"]),
                      "issue_top3": [short(c) for c in issue["ranking"][:3]]})
        r["rank"] = r.get("issue_rank") if issue is not None else r["trace_rank"]
        results.append(r)
        log("  %d/%d anomalous requests retained; rank of the truth: %s; top 3: %s"
            % (r["anomalous_retained"], len(bad), r["rank"],
               "; ".join(r.get("issue_top3") or r["trace_top3"]) or "(no ranking)"))

        if n < len(plan):
            before = api.stats()
            rest = max(0.0, args.gap_seconds - args.settle_seconds)
            countdown(rest, "recovery (normal traffic)")
            after = api.stats()
            normal["decided"] += after["decided"] - before["decided"]
            normal["retained"] += after["retained"] - before["retained"]

    report = summarise(results, normal, args, bound_ms)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    if args.write_docs:
        write_docs(args.docs, report)
        log("wrote the live section of " + args.docs)
    below = []
    if args.min_ac3 is not None and report["ac3"] < args.min_ac3:
        below.append("AC@3 %s < %s" % (pct(report["ac3"]), pct(args.min_ac3)))
    if args.min_recall is not None and (report["anomalous_recall"] or 0.0) < args.min_recall:
        below.append("recall %s < %s" % (pct(report["anomalous_recall"]), pct(args.min_recall)))
    if below:
        log("below the floor: " + "; ".join(below))
        sys.exit(3)


def summarise(results, normal, args, bound_ms):
    def ac(rs, k):
        return sum(1 for r in rs if r["rank"] is not None and r["rank"] <= k) / len(rs) if rs else 0.0

    per_kind = []
    for kind in dict.fromkeys(r["kind"] for r in results):
        rs = [r for r in results if r["kind"] == kind]
        per_kind.append({"kind": kind, "faults": len(rs), "ac1": ac(rs, 1), "ac3": ac(rs, 3), "ac5": ac(rs, 5),
                         "anomalous_requests": sum(r["anomalous_requests"] for r in rs),
                         "anomalous_retained": sum(r["anomalous_retained"] for r in rs)})
    bad = sum(r["anomalous_requests"] for r in results)
    kept = sum(r["anomalous_retained"] for r in results)
    source = "issues" if any("issue" in r for r in results) else "traces"
    return {
        "command": args.command, "source": source, "faults": len(results),
        "ac1": ac(results, 1), "ac3": ac(results, 3), "ac5": ac(results, 5),
        "anomalous_recall": kept / bad if bad else None, "anomalous_requests": bad,
        "anomalous_retained": kept, "latency_bound_ms": bound_ms,
        "normal_retained_share": normal["retained"] / normal["decided"] if normal["decided"] else None,
        "normal_decided": normal["decided"], "normal_retained": normal["retained"],
        "fault_seconds": args.fault_seconds, "per_kind": per_kind, "per_fault": results,
    }


def pct(x):
    return "–" if x is None else "%.1f%%" % (100 * x)


def render(rep):
    lines = [
        "Live fault lab: %d faults, ranking judged from %s (%s)" % (rep["faults"], rep["source"], rep["command"]),
        "",
        "| fault kind | faults | AC@1 | AC@3 | anomalous requests retained |",
        "|---|---|---|---|---|",
    ]
    for k in rep["per_kind"]:
        lines.append("| %s | %d | %s | %s | %d/%d |" % (
            k["kind"], k["faults"], pct(k["ac1"]), pct(k["ac3"]), k["anomalous_retained"], k["anomalous_requests"]))
    lines.append("| **all** | %d | %s | %s | %d/%d (%s) |" % (
        rep["faults"], pct(rep["ac1"]), pct(rep["ac3"]), rep["anomalous_retained"],
        rep["anomalous_requests"], pct(rep["anomalous_recall"])))
    lines += [
        "",
        "Normal traffic outside the fault windows: %d traces decided, %d retained (%s). A request "
        "counts as anomalous when it was not answered 2xx or took longer than its path's bound "
        "(twice the p99 of the path in a normal phase, at least 50 ms): %s." % (
            rep["normal_decided"], rep["normal_retained"], pct(rep["normal_retained_share"]),
            ", ".join("%s %d ms" % kv for kv in sorted(rep["latency_bound_ms"].items()))
            if isinstance(rep["latency_bound_ms"], dict) else "%s ms" % rep["latency_bound_ms"]),
    ]
    if rep["source"] == "traces" and not any(r.get("ranked_traces") for r in rep["per_fault"]):
        lines += ["", "No retained trace carried a root-cause ranking in this build (no issues "
                  "endpoint, empty `rootCauses`): AC@k is 0 by construction; recall and the normal "
                  "share are measured all the same."]
    lines += ["", "| fault | target | rank of the truth | top 3 candidates |", "|---|---|---|---|"]
    for r in rep["per_fault"]:
        top = r.get("issue_top3") if "issue" in r else r["trace_top3"]
        lines.append("| %s | %s | %s | %s |" % (r["kind"], r["target"], r["rank"] or "not ranked",
                                             "; ".join(top) or "(no ranking)"))
    return "\n".join(lines)


def write_docs(path, rep):
    body = "\n".join([
        BEGIN,
        "## Live fault lab",
        "",
        "Produced by `%s` on %s." % (rep["command"], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        "Matching rules and the fault catalogue: `scripts/live_eval.py`, `demo/README.md`.",
        "",
        render(rep),
        END,
    ])
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = "# Evaluation\n\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + body + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
