#!/usr/bin/env python3
"""test_serve_correlation.py — correlation and alert merging in `vigil serve`: the real
daemon (127.0.0.1, temp data dir) with Sigma rules and correlations, checked through
`vigil alerts --format jsonl` after a clean stop.

- A timed scenario over TCP, paced (a line every 50 ms): a brute force of 8 failures in
  70 s then a success fires once (brute force, then success), 7 failures from another
  address do not, 6 users from one address are spraying.
- 100,000 hits of one rule on one entity give one alert with count 100,000 (and the
  brute force they also make, 12,500 times, one alert with count 12,500).
- The same lines replayed from a file, read as fast as the daemon goes (far more than
  ten times faster), give the same alerts: windows are in event time.
- Lines shuffled within the lateness give the same alerts.
- Risk accumulated per entity raises one alert per entity that crosses the threshold.
- Alerts carry their risk: from the rule's level and status and the asset inventory's
  value of the addresses involved (a default value when none is known).
"""
import datetime
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, alerts_of, report, status, stop_daemon, wait_ready, wait_stored  # noqa: E402

RULES = """title: ssh failure
id: 9e1c0000-0000-4000-8000-000000000001
name: ssh_fail
logsource: {product: linux, service: sshd}
detection:
  sel: {outcome: failure}
  condition: sel
level: low
---
title: ssh success
id: 9e1c0000-0000-4000-8000-000000000002
name: ssh_ok
logsource: {product: linux, service: sshd}
detection:
  sel: {outcome: success}
  condition: sel
level: informational
---
title: SSH brute force
id: 9e1c0000-0000-4000-8000-000000000003
name: ssh_brute
level: high
correlation:
  type: event_count
  rules: ssh_fail
  group-by: [src_ip]
  timespan: 2m
  condition: {gte: 8}
---
title: SSH brute force then success
id: 9e1c0000-0000-4000-8000-000000000004
level: critical
correlation:
  type: temporal_ordered
  rules: [ssh_brute, ssh_ok]
  group-by: [src_ip]
  timespan: 10m
  generate: true
---
title: SSH password spraying
id: 9e1c0000-0000-4000-8000-000000000005
level: high
correlation:
  type: value_count
  rules: ssh_fail
  group-by: [src_ip]
  field: user
  timespan: 5m
  condition: {gte: 5}
---
title: SSH login attempt as the flood account
id: 9e1c0000-0000-4000-8000-000000000006
level: medium
logsource: {product: linux, service: sshd}
detection:
  sel: {user: flood}
  condition: sel
"""

T0 = datetime.datetime(2026, 11, 25, 10, 0, 0)


def line(sec, pid, text):
    ts = (T0 + datetime.timedelta(seconds=sec)).strftime("%b %d %H:%M:%S")
    return "<38>%s srv1 sshd[%d]: %s" % (ts, pid, text)


def scenario():
    out = []
    for i in range(8):
        out.append((i * 10, line(i * 10, 1000 + i, "Failed password for root from 203.0.113.9 port %d ssh2" % (50000 + i))))
    out.append((90, line(90, 2000, "Accepted password for root from 203.0.113.9 port 60000 ssh2")))
    for i in range(7):
        out.append((5 + i * 12, line(5 + i * 12, 3000 + i, "Failed password for bob from 198.51.100.7 port %d ssh2" % (40000 + i))))
    for i, u in enumerate(["alice", "bob", "carol", "dave", "erin", "frank"]):
        out.append((200 + i * 20, line(200 + i * 20, 4000 + i, "Failed password for invalid user %s from 192.0.2.44 port %d ssh2" % (u, 30000 + i))))
    out.sort(key=lambda x: x[0])
    return out


def flood(n):
    # 100 a second from 12:00:00 on: 1,000 s of event time, inside one merge window
    return [line(7200 + i // 100, 5000, "Failed password for flood from 192.0.2.99 port %d ssh2" % (1024 + i % 60000))
            for i in range(n)]


def start(tmp, name, inputs):
    data = os.path.join(tmp, name)
    conf = os.path.join(tmp, name + ".yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nrules:\n  paths: [%s]\ncorrelation:\n  lateness: 10s\n"
                "alerts:\n  merge_window: 1h\nassets: %s\n"
                # the scenario is dated 2026-11-25 and replayed now: not a clock fault
                "health:\n  max_clock_skew: 0\ninputs:\n%s"
                % (data, os.path.join(tmp, "rules"), os.path.join(tmp, "assets.csv"), inputs))
    ready = os.path.join(data, "serve.json")
    err = open(os.path.join(tmp, name + ".log"), "w")
    proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    addrs = wait_ready(proc, ready, timeout=20)
    return proc, err, data, addrs






def summary(al):
    return sorted((a["title"], a["src_ip"], a["count"]) for a in al)


def run(tmp, name, lines, how):
    if how == "file":
        log = os.path.join(tmp, name + "-in.log")
        with open(log, "w") as f:
            f.write("\n".join(lines) + "\n")
        proc, err, data, addrs = start(tmp, name, "  - {type: file, name: f, path: '%s'}\n" % log)
    else:
        proc, err, data, addrs = start(tmp, name, "  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n")
    if addrs is None:
        err.close()
        return None, "daemon did not start"
    if how != "file":
        host, port = addrs["t"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            if how == "paced":
                for l in lines:
                    s.sendall(l.encode() + b"\n")
                    time.sleep(0.05)
            else:
                s.sendall(b"".join(l.encode() + b"\n" for l in lines))
    ok = wait_stored(data, "f" if how == "file" else "t", len(lines))
    rc = stop_daemon(proc, timeout=60)
    err.close()
    if not ok or rc != 0:
        with open(os.path.join(tmp, name + ".log")) as f:
            return None, "stored all: %s, exit %s; log %s" % (ok, rc, f.read()[-600:])
    return alerts_of(data), ""


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-corr-")
    try:
        os.mkdir(os.path.join(tmp, "rules"))
        with open(os.path.join(tmp, "rules", "ssh.yml"), "w") as f:
            f.write(RULES)
        with open(os.path.join(tmp, "assets.csv"), "w") as f:
            f.write("address,name,value,registered\n203.0.113.0/24,partner-vpn,5,yes\n")
        sc = [l for _, l in scenario()]
        want = sorted([
            ("SSH brute force", "203.0.113.9", 1),
            ("SSH brute force then success", "203.0.113.9", 1),
            ("SSH password spraying", "192.0.2.44", 1),
            ("ssh success", "203.0.113.9", 1),  # generate: true on the chain
        ])
        paced, why = run(tmp, "paced", sc, "paced")
        report("serve correlation: brute force then success fire once; 7 failures do not; spraying",
               paced is not None and summary(paced) == want, why or repr(summary(paced)))
        if paced:
            brute = [a for a in paced if a["title"] == "SSH brute force"]
            spray = [a for a in paced if a["title"] == "SSH password spraying"]
            # risk = value x priority x reliability / 25: the brute force from the inventory's
            # partner range (value 5), high (4), no status (5) + 2 for a correlation
            report("serve alerts: risk from the rule and the asset (5.6), default value without (2.2)",
                   len(brute) == 1 and brute[0]["risk"] == 5.6 and brute[0]["asset"] == "partner-vpn"
                   and len(spray) == 1 and spray[0]["risk"] == 2.2 and spray[0]["asset"] is None,
                   repr(brute + spray))
            report("serve correlation: the alert carries the window and its 8 events",
                   len(brute) == 1 and brute[0]["first_seen"].startswith("2026-11-25T10:00:00")
                   and brute[0]["last_seen"].startswith("2026-11-25T10:01:10")
                   and len(brute[0]["event_ids"]) == 8 and brute[0]["level"] == "high",
                   repr(brute))
        fast, why = run(tmp, "file", sc, "file")
        report("serve correlation: the same lines from a file at full speed fire the same",
               fast is not None and paced is not None and summary(fast) == summary(paced),
               why or "%r vs %r" % (summary(fast), summary(paced) if paced else None))
        rnd = random.Random(11)
        shuffled = [l for _, l in sorted(((t + rnd.uniform(0, 5), l) for t, l in scenario()),
                                         key=lambda x: x[0])]
        sh, why = run(tmp, "shuffled", shuffled, "tcp")
        report("serve correlation: lines shuffled within the lateness fire the same",
               sh is not None and summary(sh) == want, why or repr(summary(sh)))
        fl = flood(100000)
        fa, why = run(tmp, "flood", fl, "tcp")
        got = summary(fa) if fa is not None else None
        report("serve alerts: 100,000 hits on one entity are one alert with count 100,000",
               fa is not None and ("SSH login attempt as the flood account", "192.0.2.99", 100000) in got
               and ("SSH brute force", "192.0.2.99", 12500) in got, why or repr(got))
        # their risk (1.2 and 2.24 each) accumulates on the address, the user and the host:
        # each crosses the threshold (20) once and stays above it, so one alert each
        ent = sorted((a["title"], a["src_ip"], a["user"], a["host"], a["count"]) for a in (fa or [])
                     if a["rule_id"].startswith("vigil-entity-risk-"))
        report("serve alerts: accumulated risk raises one alert per entity",
               ent == [("Accumulated risk of a host", None, None, "srv1", 1),
                       ("Accumulated risk of a source address", "192.0.2.99", None, None, 1),
                       ("Accumulated risk of a user", None, "flood", None, 1)] and len(got) == 5,
               repr(ent) + repr(got))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
