#!/usr/bin/env python3
"""test_search.py — `vigil search` end to end on a real store.

Generates the first 20,000 lines of gen-mixed-logs.py (seed 42), loads them through
decode_record + store_write_batch (bench_store --load-only, the daemon's write path),
then runs `vigil search` and compares what it returns with what the generator wrote,
counted independently here by regular expressions on the raw lines. Also checks the
audit trail, the exit codes and that a bad query reports its offset.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

from harness import SHARED, VIGIL, report, status

BUILD = os.environ.get("VIGIL_BUILD", os.path.dirname(os.path.abspath(VIGIL)))
LOADER = os.path.join(BUILD, "bench", "bench_store")
GEN = os.path.join(SHARED, "tools", "gen-mixed-logs.py")



def search(data, query, fmt="jsonl", extra=()):
    p = subprocess.run([VIGIL, "search", query, "--format", fmt, "--limit", "100000",
                        "-d", data, *extra], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def raws(out):
    return sorted(json.loads(l)["raw"] for l in out.splitlines() if l.strip())


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-search-")
    try:
        log = os.path.join(tmp, "mixed.log")
        gen = subprocess.run([sys.executable, GEN, "20000", "42"], capture_output=True,
                             timeout=120, check=True)
        lines = gen.stdout.decode("utf-8").splitlines()[:20000]
        with open(log, "w") as f:
            f.write("\n".join(lines) + "\n")
        data = os.path.join(tmp, "var")
        p = subprocess.run([LOADER, log, data, "--load-only"], capture_output=True,
                           timeout=300)
        report("load 20000 lines through decode+store", p.returncode == 0,
               p.stderr.decode()[-300:])
        if p.returncode != 0:
            return

        sshd = re.compile(r"^\S+\s+\d+ \d\d:\d\d:\d\d \S+ sshd\[\d+\]: ")
        want = sorted(l for l in lines if sshd.match(l) and
                      ("from 203.0.113.5 " in l or " 203.0.113.5 port" in l))
        q = "src_ip:203.0.113.5 AND program:sshd"
        want_q = want
        rc, out, err = search(data, q)
        got = raws(out) if rc == 0 else []
        report("promoted fields: %s (%d expected)" % (q, len(want)),
               rc == 0 and len(want) > 0 and got == want,
               "rc %d, got %d rows, want %d; %s" % (rc, len(got), len(want), err[-200:]))

        want = sorted(l for l in lines if sshd.match(l) and ": Accepted publickey for " in l)
        rc, out, err = search(data, "auth_method:publickey")
        got = raws(out) if rc == 0 else []
        report("decoder field: auth_method:publickey (%d expected)" % len(want),
               rc == 0 and len(want) > 0 and got == want,
               "rc %d, got %d, want %d" % (rc, len(got), len(want)))

        want = sorted(l for l in lines if "sqlmap" in l.lower())
        rc, out, err = search(data, "SQLmap")
        got = raws(out) if rc == 0 else []
        report("raw substring, any case: SQLmap (%d expected)" % len(want),
               rc == 0 and len(want) > 0 and got == want,
               "rc %d, got %d, want %d" % (rc, len(got), len(want)))

        want = sorted(l for l in lines if "Failed password for root" in l)
        rc, out, err = search(data, '"failed password for root"')
        got = raws(out) if rc == 0 else []
        report("quoted phrase (%d expected)" % len(want),
               rc == 0 and len(want) > 0 and got == want,
               "rc %d, got %d, want %d" % (rc, len(got), len(want)))

        rc, out, err = search(data, q)
        times = [json.loads(l)["time"] for l in out.splitlines()]
        report("results newest first", times == sorted(times, reverse=True), "order")

        rc, out, err = search(data, "src_ip:192.0.2.99")
        report("no match: exit 0, no output", rc == 0 and out == "", "rc %d out %r" % (rc, out))

        rc, out, err = search(data, "src_ip:203.0.113.5 AND (program:sshd")
        report("bad query: exit 2 with the offset", rc == 2 and "offset 23" in err,
               "rc %d err %r" % (rc, err))

        rc, out, err = search(data, q, fmt="table", extra=("--limit", "5"))
        rows = out.splitlines()
        report("table format", rc == 0 and len(rows) == 5 and
               all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ sshd ", r) for r in rows) and
               not any(ord(c) < 32 for r in rows for c in r),
               "rc %d rows %r" % (rc, rows[:2]))

        db = sqlite3.connect(os.path.join(data, "vigil.db"))
        audit = db.execute("SELECT actor, source, object, result FROM audit"
                           " WHERE action = 'search' ORDER BY id").fetchall()
        db.close()
        report("every search audited",
               len(audit) == 8 and audit[0][1] == "cli" and audit[0][2] == q and
               audit[0][3].startswith("rows ") and audit[6][3].startswith("error: offset 23"),
               repr(audit[:2]))

        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\n" % data)
        p = subprocess.run([VIGIL, "search", q, "--format", "jsonl", "--limit", "100000",
                            "-c", conf], capture_output=True, timeout=120)
        report("-c CONFIG searches the data_dir of the daemon's config",
               p.returncode == 0 and raws(p.stdout.decode()) == want_q,
               "rc %d %r" % (p.returncode, p.stderr[-200:]))

        modes = {n: os.stat(os.path.join(data, n)).st_mode & 0o777 for n in os.listdir(data)}
        report("store files 0600 (the audit key 0400), directory 0700",
               all(m == (0o400 if n == "audit.key" else 0o600) for n, m in modes.items()) and
               os.stat(data).st_mode & 0o777 == 0o700, repr(modes))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
sys.exit(status())
