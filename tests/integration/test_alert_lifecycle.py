#!/usr/bin/env python3
"""test_alert_lifecycle.py — the alert lifecycle and suppressions from the command line,
against alerts `vigil serve` raised with Vigil's own rules: ack -> escalate -> close (a
reason required), moves the lifecycle forbids refused with the reason; a hit on a closed
alert's rule and entities opens a new alert and leaves the closed one as it was; a
suppression silences its rule on its entities (the daemon reads suppressions at start and
every 10 s), is listed, and can be removed; each change is in the audit trail."""
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, VIGIL, report, serve_tcp_lines, status  # noqa: E402

T0 = datetime.datetime(2026, 11, 25, 10, 0, 0)


def brute(start, ip):
    return ["<38>%s srv1 sshd[%d]: Failed password for root from %s port %d ssh2"
            % ((T0 + datetime.timedelta(seconds=start + i * 5)).strftime("%b %d %H:%M:%S"), 100 + i, ip, 40000 + i)
            for i in range(8)]


def serve(tmp, data, lines):
    conf = os.path.join(tmp, "vigil.yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nstats_interval: 1\nrules:\n  paths: [%s]\ninputs:\n"
                "  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n" % (data, os.path.join(TOP, "rules")))
    return serve_tcp_lines(conf, data, lines, os.path.join(tmp, "log"))


def cli(data, *args):
    return subprocess.run([VIGIL, "alerts"] + list(args) + ["-d", data], capture_output=True,
                          text=True, timeout=30)


def brute_alerts(data):
    r = cli(data, "--format", "jsonl")
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip() and json.loads(l)["title"] == "SSH brute force"]


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-life-")
    try:
        data = os.path.join(tmp, "data")
        ok = serve(tmp, data, brute(0, "203.0.113.9"))
        al = brute_alerts(data)
        report("lifecycle: the brute force alert is new", ok and len(al) == 1 and al[0]["status"] == "new", repr(al))
        if len(al) != 1:
            return status()
        aid = al[0]["id"]
        r1 = cli(data, "close", aid)  # no reason
        r2 = cli(data, "ack", aid, "--reason", "looking")
        r3 = cli(data, "ack", aid)  # already acknowledged
        r4 = cli(data, "escalate", aid, "--reason", "root targeted")
        r5 = cli(data, "close", aid, "--reason", "blocked at the firewall")
        r6 = cli(data, "escalate", aid)  # closed is final
        r7 = cli(data, "ack", "00000000000000aa")
        report("lifecycle: ack -> escalate -> close; refusals say why",
               r1.returncode == 1 and "needs a reason" in r1.stderr
               and r2.returncode == 0 and r3.returncode == 1 and "is acknowledged" in r3.stderr
               and r4.returncode == 0 and r5.returncode == 0
               and r6.returncode == 1 and "is closed" in r6.stderr
               and r7.returncode == 1 and "no alert" in r7.stderr,
               repr([(r.returncode, r.stderr.strip()) for r in (r1, r2, r3, r4, r5, r6, r7)]))
        al = brute_alerts(data)
        report("lifecycle: the closed alert keeps who closed it and why",
               len(al) == 1 and al[0]["status"] == "closed"
               and al[0]["status_reason"] == "blocked at the firewall" and al[0]["status_by"]
               and al[0]["status_at"], repr(al))
        rs = cli(data, "suppress", "--rule", "5f0c8e5e-3f0a-4c3b-9d0a-6b1f2a7c0102", "--src", "198.51.100.77",
                 "--for", "2h", "--reason", "pentest window")
        rb = cli(data, "suppress", "--rule", "x")  # incomplete
        lst = cli(data, "suppressions")
        report("suppress: added and listed; an incomplete one refused",
               rs.returncode == 0 and "suppression 1 in force" in rs.stdout and rb.returncode == 2
               and "rule 5f0c8e5e-3f0a-4c3b-9d0a-6b1f2a7c0102  src_ip=198.51.100.77" in lst.stdout
               and "pentest window" in lst.stdout, rs.stderr + lst.stdout)
        ok = serve(tmp, data, brute(600, "203.0.113.9") + brute(600, "198.51.100.77"))
        al = brute_alerts(data)
        by = sorted((a["src_ip"], a["status"], a["count"]) for a in al)
        report("lifecycle: a hit after the close opens a new alert; the suppressed source none",
               ok and by == [("203.0.113.9", "closed", 1), ("203.0.113.9", "new", 1)], repr(by))
        ru = cli(data, "unsuppress", "1")
        ru2 = cli(data, "unsuppress", "1")
        lst = cli(data, "suppressions")
        report("suppress: removed (twice: the second says there is none)",
               ru.returncode == 0 and ru2.returncode == 1 and "there is none" in ru2.stderr
               and lst.stdout.strip() == "", ru2.stderr + lst.stdout)
        db = sqlite3.connect(os.path.join(data, "vigil.db"))
        actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE action LIKE 'alerts.%' ORDER BY rowid")]
        db.close()
        report("lifecycle: every change is audited",
               all(a in actions for a in ("alerts.ack", "alerts.escalate", "alerts.close", "alerts.suppress",
                                           "alerts.unsuppress")), repr(actions))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
