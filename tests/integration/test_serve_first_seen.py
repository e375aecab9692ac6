#!/usr/bin/env python3
"""test_serve_first_seen.py — `vigil_first_seen` in `vigil serve`, with Vigil's own rules
(rules/) and an asset inventory: sudo by a user who never used it before alerts once per
(host, user), also across a restart (what was seen is kept in vigil.db); an unregistered
terminal alerts once per MAC, a registered one never; `vigil terminals` lists the
unregistered ones with first/last seen and sightings."""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, VIGIL, alerts_of, report, serve_tcp_lines, status  # noqa: E402

T0 = datetime.datetime(2026, 11, 25, 10, 0, 0)


def ts(sec):
    return (T0 + datetime.timedelta(seconds=sec)).strftime("%b %d %H:%M:%S")


def sudo(sec, host, user):
    return "<85>%s %s sudo[9]:    %s : TTY=pts/1 ; PWD=/home/%s ; USER=root ; COMMAND=/bin/ls" % (
        ts(sec), host, user, user)


def lease(sec, ip, mac):
    return "<30>%s gw1 dhcpd[501]: DHCPACK on %s to %s (pc) via eth0" % (ts(sec), ip, mac)


def run(tmp, data, lines):
    conf = os.path.join(tmp, "vigil.yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nstats_interval: 1\nrules:\n  paths: [%s]\nassets: %s\ninputs:\n"
                "  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n"
                % (data, os.path.join(TOP, "rules"), os.path.join(tmp, "assets.csv")))
    return serve_tcp_lines(conf, data, lines, os.path.join(tmp, "log"))




def firsts(data, title):
    return sorted((a["host"], a["user"]) for a in alerts_of(data) if a["title"] == title)


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-first-")
    try:
        with open(os.path.join(tmp, "assets.csv"), "w") as f:
            f.write("address,name,value,registered\n10.0.0.0/24,office,2,yes\n")
        data = os.path.join(tmp, "data")
        ok1 = run(tmp, data, [sudo(0, "db01", "alice"), sudo(5, "db01", "alice"), sudo(9, "web01", "alice"),
                              lease(20, "10.0.0.50", "00:11:22:33:44:55"),
                              lease(30, "10.0.9.77", "00:aa:bb:cc:dd:01"),
                              lease(40, "10.0.9.77", "00:aa:bb:cc:dd:01")])
        t = "sudo by a user who never used it before"
        got = firsts(data, t)
        report("first seen: sudo alerts once per host and user",
               ok1 and got == [("db01", "alice"), ("web01", "alice")], repr(got))
        terms = [a for a in alerts_of(data) if a["title"] == "Unregistered terminal on the network"]
        report("first seen: an unregistered terminal alerts once, a registered one never",
               len(terms) == 1 and terms[0]["count"] == 1, repr(terms))
        ok2 = run(tmp, data, [sudo(100, "db01", "alice"), sudo(105, "db01", "bob"),
                              lease(120, "10.0.9.77", "00:aa:bb:cc:dd:01")])
        got = firsts(data, t)
        report("first seen: remembered across a restart (only bob is new)",
               ok2 and got == [("db01", "alice"), ("db01", "bob"), ("web01", "alice")], repr(got))
        terms = [a for a in alerts_of(data) if a["title"] == "Unregistered terminal on the network"]
        report("first seen: the same terminal after a restart does not alert again",
               len(terms) == 1, repr(terms))
        r = subprocess.run([VIGIL, "terminals", "-d", data, "--format", "jsonl"], capture_output=True,
                           text=True, timeout=30)
        rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        report("terminals: the unregistered one recorded with its sightings, the registered not",
               r.returncode == 0 and len(rows) == 1 and rows[0]["mac"] == "00:aa:bb:cc:dd:01"
               and rows[0]["ip"] == "10.0.9.77" and rows[0]["name"] == "pc" and rows[0]["seen"] == 3
               and rows[0]["first_seen"].startswith("2026-11-25T10:00:30")
               and rows[0]["last_seen"].startswith("2026-11-25T10:02:00"), r.stdout + r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
