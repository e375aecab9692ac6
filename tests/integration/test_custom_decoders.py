#!/usr/bin/env python3
"""test_custom_decoders.py — decoders an operator writes in vigil.yaml (`decoders:`):
a PCRE2 regex with named groups, key=value with its own separators, JSON; selection by
program name or prefix; renames and routes; a selected decoder that finds nothing gives
way to the built-in ones; `format:` forcing one; and every mistake in a definition
refused with FILE:LINE and the reason — through `vigil parse -c` and the real daemon.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from harness import VIGIL, report, status, stop_daemon, wait_ready

DECODERS = r"""decoders:
  - name: acme_fw
    program: acmefw
    regex: '^(?<action>DENY|ALLOW) (?<proto>\w+) (?<srcip>[0-9a-f.:]+):(?<src_port>\d+) -> (?<dst_ip>[0-9a-f.:]+):(?<dst_port>\d+)(?: user=(?<user>\S+))?'
    rename: {srcip: src_ip}
    routes: [firewall]
  - name: acme_vpn
    prefix: "VPN|"
    kv: {pair: "|", assign: ":", quote: "'"}
    routes: [linux, linux/auth]
  - name: acme_app
    program: acmeapp
    json: true
    rename: {usr.name: user}
    routes: [json]
  - name: sshd_banner
    program: sshd
    regex: '^Banner (?<banner>.+)$'
"""

LINES = [
    "Nov 25 10:00:00 fw1 acmefw: DENY tcp 203.0.113.5:51234 -> 10.0.0.2:22 user=bob",
    "Nov 25 10:00:01 fw1 acmefw: ALLOW udp 2001:db8::1:53 -> 10.0.0.2:53",
    "Nov 25 10:00:02 fw1 acmefw: link down on port 3",
    "VPN|user:alice|src:'203.0.113.9 x'|result:fail",
    'Nov 25 10:00:03 app acmeapp: {"usr":{"name":"carol"},"act":"login"}',
    "Nov 25 10:00:04 app acmeapp: not json",
    "Nov 25 10:00:05 bastion sshd[4]: Banner hello there",
    "Nov 25 10:00:06 bastion sshd[5]: Failed password for root from 203.0.113.5 port 4242 ssh2",
]

EXPECTED = [
    ("acme_fw", ["firewall"], {"action": "DENY", "proto": "tcp", "src_ip": "203.0.113.5",
                               "src_port": "51234", "dst_ip": "10.0.0.2", "dst_port": "22",
                               "user": "bob"}),
    ("acme_fw", ["firewall"], {"action": "ALLOW", "src_ip": "2001:db8::1", "dst_port": "53"}),
    ("syslog", ["linux/syslog"], {"message": "link down on port 3"}),  # no match: built-in
    ("acme_vpn", ["linux", "linux/auth"], {"user": "alice", "src": "203.0.113.9 x",
                                           "result": "fail"}),
    ("acme_app", ["json"], {"user": "carol", "act": "login"}),
    ("syslog", ["linux/syslog"], {"message": "not json"}),
    ("sshd_banner", [], {"banner": "hello there"}),
    ("sshd", None, {"user": "root", "outcome": "failure"}),  # the built-in sshd decoder
]


def parse(conf, lines, *extra):
    p = subprocess.run([VIGIL, "parse", "-c", conf, "--received", "2024-11-26T00:00:00Z"]
                       + list(extra), input="\n".join(lines).encode() + b"\n",
                       capture_output=True, timeout=30)
    return p, [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]


def check(events, name):
    bad = []
    for i, (ev, (dec, routes, fields)) in enumerate(zip(events, EXPECTED)):
        f = ev.get("fields", {})
        if ev.get("decoder") != dec or (routes is not None and
                                        sorted(ev.get("routes", [])) != sorted(routes)) or \
                any(f.get(k) != v for k, v in fields.items()):
            bad.append((i + 1, ev.get("decoder"), ev.get("routes"), f))
    report(name, len(events) == len(EXPECTED) and not bad, "%d events, wrong %s" %
           (len(events), bad[:2]))


MISTAKES = [
    ("  - name: x\n    program: p\n    regex: '(?<a>b'\n", 4, "regex: missing closing"),
    ("  - name: x\n    program: p\n    regex: 'abc'\n", 4, "no named group"),
    ("  - name: x\n    program: p\n    regex: '(?<a>b)'\n    routes: [nope]\n", 5,
     "unknown route 'nope'"),
    ("  - name: x\n    regex: '(?<a>b)'\n", 2, "needs program or prefix"),
    ("  - name: x\n    program: p\n", 2, "needs regex, kv or json"),
    ("  - name: x\n    program: p\n    regex: '(?<a>b)'\n    kv: true\n", 5,
     "one of regex, kv or json"),
    ("  - name: sshd\n    program: p\n    json: true\n", 2, "name of a built-in decoder"),
    ("  - name: x\n    program: p\n    json: true\n  - name: x\n    program: q\n    json: true\n",
     5, "defined twice"),
    ("  - name: x\n    program: p\n    json: true\n    colour: red\n", 5, "unknown key 'colour'"),
    ("  - name: x\n    program: p\n    kv: {pair: ''}\n", 4, "must not be empty"),
]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "vigil.yaml")
        data = os.path.join(tmp, "data")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nlog_level: warn\nflush_ms: 20\n%sinputs:\n"
                    "  - type: syslog_tcp\n    name: tcp\n    listen: 127.0.0.1:0\n"
                    "  - type: syslog_tcp\n    name: forced\n    listen: 127.0.0.1:0\n"
                    "    format: acme_vpn\n" % (data, DECODERS))
        p, events = parse(conf, LINES)
        report("parse -c loads the decoders", p.returncode == 0, p.stderr.decode())
        check(events, "parse: regex, kv, json, renames, routes, fallback to built-in decoders")
        p, forced = parse(conf, ["user:dave|result:ok"], "--format", "acme_vpn")
        report("parse --format NAME forces an operator's decoder",
               forced and forced[0]["decoder"] == "acme_vpn" and
               forced[0]["fields"].get("user") == "dave", forced)

        # the daemon: the same lines over TCP, one line on an input forced to acme_vpn
        err = open(os.path.join(tmp, "serve.log"), "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"))
        report("serve starts with operator decoders", addrs is not None, "exit %s" % proc.poll())
        if addrs:
            for name, lines in (("tcp", LINES), ("forced", ["user:erin|result:ok"])):
                host, port = addrs[name].rsplit(":", 1)
                with socket.create_connection((host, int(port)), timeout=5) as s:
                    s.sendall(b"".join(l.encode() + b"\n" for l in lines))
            rows = []
            for _ in range(100):
                r = subprocess.run([VIGIL, "search", "", "-d", data, "--format", "jsonl",
                                    "--limit", "1000"], capture_output=True, timeout=30)
                rows = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
                if len(rows) >= len(LINES) + 1:
                    break
                time.sleep(0.1)
            by_raw = {row["raw"]: row for row in rows}
            check([by_raw.get(l, {}) for l in LINES], "serve: the same decoders in the daemon")
            row = by_raw.get("user:erin|result:ok", {})
            report("serve: an input's format: forces an operator's decoder",
                   row.get("decoder") == "acme_vpn" and row["fields"].get("user") == "erin",
                   row)
        report("serve stops cleanly", stop_daemon(proc) == 0)
        err.close()

        for i, (body, line, why) in enumerate(MISTAKES):
            bad = os.path.join(tmp, "bad%d.yaml" % i)
            with open(bad, "w") as f:
                f.write("decoders:\n" + body)
            p, _ = parse(bad, ["x"])
            msg = p.stderr.decode()
            report("refused with its place: %s" % why, p.returncode == 2 and
                   ("%s:%d:" % (bad, line)) in msg and why in msg, msg.strip())
        bad = os.path.join(tmp, "badfmt.yaml")
        with open(bad, "w") as f:
            f.write(DECODERS + "inputs:\n  - type: syslog_tcp\n    format: acme_nope\n")
        p, _ = parse(bad, ["x"])
        report("an input's format naming no decoder is refused",
               p.returncode == 2 and "no decoder called 'acme_nope'" in p.stderr.decode(),
               p.stderr.decode())
    return status()


if __name__ == "__main__":
    sys.exit(main())
