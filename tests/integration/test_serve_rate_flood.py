#!/usr/bin/env python3
"""test_serve_rate_flood.py — the rate analyzers in a real `vigil serve` (127.0.0.1, temp
data dir), judged as issue 7 asks: a replayed flood scenario — one site at 50 requests/s,
then 5,000/s from 300 sources for 2 minutes, then 50/s again — raises ONE flood alert with
the right site and the flood's time span; the baseline traffic alone raises none.

The scenario is an nginx/Apache access log in the combined format, event times in the
brackets (yesterday, so the daemon sees a replay), read by a file input named after the
site: the combined format names no site, and the analyzers then take the input's name.
10 minutes of baseline (the default warm-up is 5) then the 2-minute flood (600,000
lines) then 2 minutes of baseline: about 642,000 lines, generated here in a few seconds.
Checked through `vigil alerts --format jsonl` after a clean stop, and /metrics.
"""
import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, report, status, stop_daemon, wait_ready, wait_stored  # noqa: E402

SITE = "shop.example.com"
TOKEN = "scrape-rates-7d1e0c5b93"
BASE_S, FLOOD_S, AFTER_S = 600, 120, 120
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
PATHS = ["/", "/index.html", "/css/site.css", "/js/app.js", "/img/logo.png", "/products",
         "/cart", "/search"]


def stamp(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return "%02d/%s/%04d:%02d:%02d:%02d +0000" % (d.day, MONTHS[d.month - 1], d.year, d.hour,
                                                d.minute, d.second)


def scenario(path, t0, flood):
    """Writes the access log; returns its number of lines."""
    rnd = random.Random(7)
    clients = ["10.%d.%d.%d" % (20 + i // 60000, (i // 250) % 240, 1 + i % 250) for i in range(2000)]
    attackers = ["203.0.%d.%d" % (100 + i // 200, 1 + i % 200) for i in range(300)]
    n = 0
    with open(path, "w") as f:
        for s in range(BASE_S + FLOOD_S + AFTER_S):
            ts = stamp(t0 + s)
            lines = []
            # about 50 a second, a slow wave of +-20% and some noise
            for _ in range(max(0, int(rnd.gauss(50, 7)))):
                lines.append('%s - - [%s] "GET %s HTTP/1.1" 200 %d "-" "Mozilla/5.0"\n'
                             % (rnd.choice(clients), ts, rnd.choice(PATHS), rnd.randint(200, 9000)))
            if flood and BASE_S <= s < BASE_S + FLOOD_S:
                for i in range(5000):
                    lines.append('%s - - [%s] "POST /login HTTP/1.1" 200 120 "-" "python-requests/2.31"\n'
                                 % (attackers[rnd.randrange(300)], ts))
                rnd.shuffle(lines)
            f.write("".join(lines))
            n += len(lines)
    return n




def metrics(data):
    try:
        with open(os.path.join(data, "serve.json")) as f:
            url = json.load(f).get("console")
        if not url:
            return ""
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(url.rstrip("/") + "/metrics",
                                     headers={"Authorization": "Bearer " + TOKEN})
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.read().decode()
    except Exception as e:  # noqa: BLE001 - reported by the caller
        return "error: %r" % e


def run(tmp, name, flood, t0):
    log = os.path.join(tmp, name + ".log")
    t = time.time()
    n = scenario(log, t0, flood)
    gen_s = time.time() - t
    data = os.path.join(tmp, name)
    conf = os.path.join(tmp, name + ".yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0, metrics_token: %s}\n"
                "stats_interval: 1\nhealth:\n  max_clock_skew: 0\n"
                "inputs:\n  - {type: file, name: %s, path: '%s'}\n" % (data, TOKEN, SITE, log))
    err = open(os.path.join(tmp, name + ".err"), "w")
    proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    t = time.time()
    ok = wait_ready(proc, os.path.join(data, "serve.json"), timeout=20) is not None
    ok = ok and wait_stored(data, SITE, n, timeout=240, proc=proc)
    ingest_s = time.time() - t
    page = metrics(data) if ok else ""
    rc = stop_daemon(proc, timeout=60)
    err.close()
    with open(os.path.join(tmp, name + ".err")) as f:
        errlog = f.read()
    if not ok or rc != 0:
        return None, "", "stored all: %s, exit %s; log %s" % (ok, rc, errlog[-800:])
    print("# %s: %d lines generated in %.1f s, stored in %.1f s" % (name, n, gen_s, ingest_s))
    r = subprocess.run([VIGIL, "alerts", "-d", data, "--format", "jsonl", "--limit", "1000"],
                       capture_output=True, text=True, timeout=60)
    al = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return al, page, errlog


def hunt_rates(log):
    """The rate findings `vigil hunt` prints over log (jsonl), or None when it failed."""
    r = subprocess.run([VIGIL, "hunt", log], capture_output=True, text=True, timeout=240)
    if r.returncode != 0:
        return None
    return [row for row in (json.loads(l) for l in r.stdout.splitlines() if l.strip())
            if "rate" in row]


def when(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-rate-")
    try:
        # yesterday, on a whole minute
        t0 = (int(time.time()) // 60) * 60 - 86400
        al, page, why = run(tmp, "flood", True, t0)
        rate = [a for a in (al or []) if a["rule_id"].startswith("vigil-rate-")]
        report("serve rates: the flood scenario raises one rate alert, an HTTP flood",
               al is not None and len(rate) == 1 and rate[0]["rule_id"] == "vigil-rate-http-flood",
               why if al is None else repr(rate))
        if len(rate) == 1:
            a = rate[0]
            first, last = when(a["first_seen"]), when(a["last_seen"])
            report("serve rates: the flood alert names the site and spans the flood's 2 minutes",
                   a["host"] == SITE and abs(first - (t0 + BASE_S)) <= 3
                   and abs(last - (t0 + BASE_S + FLOOD_S)) <= 3 and a["level"] == "high"
                   and "attack.t1498" in a["tags"],
                   "%r: first %+.0f s, last %+.0f s" % (a, first - (t0 + BASE_S),
                                                         last - (t0 + BASE_S + FLOOD_S)))
            report("serve rates: the title carries the figures (peak, baseline, sources, path)",
                   all(w in a["title"] for w in ("peak 5", "baseline 4", "sources", "/login")),
                   a["title"])
        report("serve rates: /metrics counts the rate analyzers",
               "vigil_rate_observations_total" in page and "vigil_rate_findings_total 2" in page
               and "vigil_rate_evicted_total 0" in page, page[-1500:] if page else "no page")
        log = os.path.join(tmp, "flood.log")
        found = hunt_rates(log)
        report("hunt rates: the same log offline gives one HTTP flood, site = the file read",
               found is not None and len(found) == 1
               and found[0]["rule"]["id"] == "vigil-rate-http-flood"
               and found[0]["rate"]["kind"] == "site-flood" and found[0]["rate"]["key"] == log,
               repr(found))
        if found and len(found) == 1:
            fr = found[0]["rate"]
            first, last = when(fr["first"]), when(fr["last"])
            report("hunt rates: its span is the flood's 2 minutes, its peak about 5,000/s",
                   abs(first - (t0 + BASE_S)) <= 3 and abs(last - (t0 + BASE_S + FLOOD_S)) <= 3
                   and 4500 <= fr["peak"] <= 5500 and 40 <= fr["baseline"] <= 60, repr(fr))
        al, page, why = run(tmp, "baseline", False, t0)
        rate = [a for a in (al or []) if a["rule_id"].startswith("vigil-rate-")]
        report("serve rates: the baseline traffic alone raises no rate alert",
               al is not None and rate == [], why if al is None else repr(rate))
        found = hunt_rates(os.path.join(tmp, "baseline.log"))
        report("hunt rates: the baseline alone gives no rate finding", found == [], repr(found))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
