#!/usr/bin/env python3
"""test_serve_decoders.py — every format Vigil decodes, mixed in one stream through the
real daemon: the lines of the golden corpus (tests/golden/NAME.log) whose expected event
(NAME.jsonl) has a decoder of its own are interleaved (each file's lines keep their order:
W3C's #Fields and the audit join are per source), sent over TCP to `vigil serve`, and read
back with `vigil search`. Each stored event must have the decoder, routes and fields the
golden file expects for that line — none may fall back to generic or plain syslog. Files
read with a --charset or --format of their own (NAME.args) are left out: the daemon's
input here detects the charset and the format (netflow lines come from the netflow input,
test_netflow.py).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from harness import VIGIL, report, status, stop_daemon, wait_ready

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden")
NOT_DECODED = {"generic", "syslog"}


def golden_lines():
    """[(file name, [(line, expected event)])] of the decodable lines of each file."""
    out = []
    for name in sorted(os.listdir(GOLDEN)):
        if not name.endswith(".log"):
            continue
        base = name[:-4]
        args = os.path.join(GOLDEN, base + ".args")
        if os.path.exists(args) and ("--charset" in open(args).read() or
                                     "--format" in open(args).read()):
            continue
        with open(os.path.join(GOLDEN, name), "rb") as f:
            lines = f.read().split(b"\n")
        with open(os.path.join(GOLDEN, base + ".jsonl"), encoding="utf-8") as f:
            expected = [json.loads(l) for l in f if l.strip()]
        lines = [l for l in lines if l]
        if len(lines) != len(expected):
            raise RuntimeError("%s: %d lines, %d expected events" % (name, len(lines),
                                                                    len(expected)))
        keep = [(l, e) for l, e in zip(lines, expected) if e.get("decoder") not in NOT_DECODED]
        # lines a decoder needs (a W3C #Fields directive is generic-routed but w3c's)
        out.append((base, [(l, e) for l, e in zip(lines, expected)], keep))
    return out


def main():
    files = golden_lines()
    stream, want = [], {}
    # round robin over the files, each keeping its order
    queues = [list(all_lines) for _, all_lines, _ in files]
    while any(queues):
        for q in queues:
            if q:
                line, exp = q.pop(0)
                stream.append(line)
                if exp.get("decoder") not in NOT_DECODED:
                    text = line.decode("utf-8", errors="replace")
                    if text in want and want[text] != exp:
                        want[text] = None  # the same line expected two ways: not checked
                    else:
                        want.setdefault(text, exp)
    want = {k: v for k, v in want.items() if v is not None}
    report("the golden corpus has decodable lines of %d formats" % len(files),
           len(want) > 100 and len(files) >= 10, "%d lines" % len(want))

    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            # geo and the built-in analyzer rules off: the golden fields are the decoders'
            # alone (test_serve_lists.py covers geolocation through serve, and
            # test_serve_web_attacks.py the analyzers' attack.* fields)
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nlog_level: warn\nflush_ms: 20\ngeo: {enabled: false}\n"
                    "rules: {builtin: false}\n"
                    "inputs:\n  - type: syslog_tcp\n    name: tcp\n    listen: 127.0.0.1:0\n"
                    % data)
        err = open(os.path.join(tmp, "serve.log"), "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"))
        if addrs is None:
            report("vigil serve starts", False, "exit %s" % proc.poll())
            return status()
        host, port = addrs["tcp"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(b"".join(l + b"\n" for l in stream))
        got = {}
        deadline = time.time() + 30
        while time.time() < deadline:
            r = subprocess.run([VIGIL, "search", "", "-d", data, "--format", "jsonl",
                                "--limit", "100000"], capture_output=True, timeout=30)
            rows = [json.loads(l) for l in r.stdout.decode(errors="replace").splitlines()
                    if l.strip()]
            got = {row["raw"]: row for row in rows}
            if len(rows) >= len(stream):
                break
            time.sleep(0.2)
        report("vigil serve stops cleanly", stop_daemon(proc) == 0)
        err.close()

    report("every line sent is stored (%d)" % len(stream), len(got) >= len(set(
        l.decode("utf-8", errors="replace") for l in stream)), "%d stored" % len(got))
    wrong = []
    for text, exp in want.items():
        row = got.get(text)
        if row is None:
            wrong.append((text[:80], "not stored"))
        elif row.get("decoder") != exp["decoder"]:
            wrong.append((text[:80], "decoder %s, expected %s" % (row.get("decoder"),
                                                                  exp["decoder"])))
        elif sorted(row.get("routes", [])) != sorted(exp.get("routes", [])):
            wrong.append((text[:80], "routes %s, expected %s" % (row.get("routes"),
                                                               exp.get("routes"))))
        elif row.get("fields") != exp.get("fields"):
            diff = sorted(k for k in set(row["fields"]) | set(exp["fields"])
                          if row["fields"].get(k) != exp["fields"].get(k))
            wrong.append((text[:80], "fields differ: %s" % diff[:5]))
    decoders = sorted(set(e["decoder"] for e in want.values()))
    report("each of %d lines got its decoder, routes and fields through serve (%s)" %
           (len(want), ", ".join(decoders)), not wrong, "%d wrong, first %s" %
           (len(wrong), wrong[:3]))
    return status()


if __name__ == "__main__":
    sys.exit(main())
