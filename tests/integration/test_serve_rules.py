#!/usr/bin/env python3
"""test_serve_rules.py — integration test of detection in `vigil serve`: the real daemon
on 127.0.0.1 ephemeral ports with a temp data dir and a `rules:` directory, checked
through `vigil alerts --format jsonl` (and `vigil search`, the daemon's log, the audit
trail).

Cases:
- a configured rules path that does not exist stops the start with a clear message;
- one Sigma rule for linux/sshd: lines sent over TCP and UDP that match and that do not;
  exactly the matching ones become alerts, with the rule id, level, tags and entities
  (src_ip, user, host; dst_ip null), and `--level` filters;
- a second rule file + SIGHUP: the reload is logged and the new rule fires on new lines
  (lines stored before it are not matched again);
- a broken rule + SIGHUP: the reload is rejected, the log names the file, the rule id
  and the reason, and both earlier rules still fire;
- the reloads are in the audit trail (ok, rejected); SIGTERM stops with status 0.

Every wait polls with a deadline; sockets are 127.0.0.1 only.
"""
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, report, status, stop_daemon, wait_ready  # noqa: E402

RULE1_ID = "5b1c7e0a-0d5c-4c43-9a37-1f6f0e3a0001"
RULE2_ID = "5b1c7e0a-0d5c-4c43-9a37-1f6f0e3a0002"
BROKEN_ID = "5b1c7e0a-0d5c-4c43-9a37-1f6f0e3a0003"

RULE1 = """title: SSH failed password
id: %s
status: test
level: medium
tags:
  - attack.credential_access
  - attack.t1110.001
logsource:
  product: linux
  service: sshd
detection:
  selection:
    action: login
    outcome: failure
  condition: selection
""" % RULE1_ID

RULE2 = """title: SSH login accepted for root
id: %s
status: test
level: low
logsource:
  product: linux
  service: sshd
detection:
  selection:
    action: login
    outcome: success
    user: root
  condition: selection
""" % RULE2_ID

BROKEN = """title: Broken rule
id: %s
logsource:
  product: linux
  service: sshd
detection:
  selection:
    user|nosuchmodifier: x
  condition: selection
""" % BROKEN_ID


def failed(host, user, ip, tag):
    return "<38>Nov 25 10:00:00 %s sshd[101]: Failed password for %s from %s port 40%s ssh2" % (
        host, user, ip, tag)


def accepted(host, user, ip, tag):
    return "<38>Nov 25 10:00:01 %s sshd[102]: Accepted password for %s from %s port 41%s ssh2" % (
        host, user, ip, tag)


def other(host, tag):
    return "<78>Nov 25 10:00:02 %s CRON[7]: (root) CMD (run-parts /etc/cron.hourly) t%s" % (
        host, tag)


class Daemon:
    def __init__(self, conf, data_dir, log):
        self.data_dir = data_dir
        self.log = log
        ready = os.path.join(data_dir, "serve.json")
        if os.path.exists(ready):
            os.unlink(ready)
        self.err = open(log, "w")
        self.proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        self.addrs = wait_ready(self.proc, ready)
        if self.addrs is not None:
            return
        self.stop()
        raise RuntimeError("daemon did not become ready (exit %s)" % self.proc.poll())

    def addr(self, name):
        host, port = self.addrs[name].rsplit(":", 1)
        return host, int(port)

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self, timeout=20):
        rc = stop_daemon(self.proc, timeout=timeout)
        self.err.close()
        return rc


def send_tcp(addr, lines):
    with socket.create_connection(addr, timeout=5) as s:
        s.sendall(b"".join(l.encode() + b"\n" for l in lines))


def send_udp(addr, lines):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for l in lines:
            s.sendto(l.encode(), addr)
    finally:
        s.close()


def alerts(data_dir, *extra):
    r = subprocess.run([VIGIL, "alerts", "-d", data_dir, "--format", "jsonl", "--limit", "1000"]
                       + list(extra), capture_output=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("alerts failed: %s" % r.stderr.decode(errors="replace")[:300])
    return [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]


def stored(data_dir):
    r = subprocess.run([VIGIL, "search", "", "-d", data_dir, "--format", "jsonl", "--limit",
                        "100000"], capture_output=True, timeout=30)
    if r.returncode != 0:
        return []
    return [json.loads(l)["raw"] for l in r.stdout.decode(errors="replace").splitlines()
            if l.strip()]


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def all_stored(data_dir, lines):
    """True once every line is a stored event (so matching ran over all of them)."""
    raws = set(stored(data_dir))
    return all(l in raws for l in lines)


def summary(a):
    return (a["rule_id"], a["src_ip"], a["user"], a["host"])


def case_missing_path(tmp):
    conf = os.path.join(tmp, "missing.yaml")
    nope = os.path.join(tmp, "no-such-rules")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nrules:\n  paths: [%s]\ninputs:\n  - type: syslog_udp\n"
                "    listen: 127.0.0.1:0\n" % (os.path.join(tmp, "d0"), nope))
    r = subprocess.run([VIGIL, "serve", "-c", conf], capture_output=True, timeout=20)
    err = r.stderr.decode(errors="replace")
    report("a missing rules path stops the start with a clear message",
           r.returncode != 0 and ("rules path %s" % nope) in err and "No such file" in err,
           "rc %s stderr %r" % (r.returncode, err[-300:]))


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-rules-")
    daemon = None
    try:
        case_missing_path(tmp)
        data = os.path.join(tmp, "data")
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        with open(os.path.join(rules, "ssh_failed.yml"), "w") as f:
            f.write(RULE1)
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nlog_level: info\nstats_interval: 1\nflush_ms: 20\n"
                    "rules:\n  paths: [%s]\n"
                    "inputs:\n  - type: syslog_tcp\n    name: tcp\n    listen: 127.0.0.1:0\n"
                    "  - type: syslog_udp\n    name: udp\n    listen: 127.0.0.1:0\n"
                    % (data, rules))
        daemon = Daemon(conf, data, os.path.join(tmp, "serve.log"))
        tcp, udp = daemon.addr("tcp"), daemon.addr("udp")

        # ---- one rule: matching and non-matching lines --------------------------------
        match1 = [failed("web1", "root", "10.0.0.1", "01"), failed("web2", "alice", "10.0.0.2", "02")]
        quiet1 = [accepted("web1", "root", "10.0.0.3", "03"), other("web1", "04"),
                  "plain text that no decoder knows 05"]
        send_tcp(tcp, [match1[0], quiet1[0], quiet1[1], match1[1], quiet1[2]])
        udp_match = failed("web3", "bob", "10.0.0.9", "06")
        send_udp(udp, [udp_match])
        match1.append(udp_match)
        ok = wait_for(lambda: all_stored(data, match1 + quiet1), 15)
        got = alerts(data) if ok else []
        want = sorted([(RULE1_ID, "10.0.0.1", "root", "web1"), (RULE1_ID, "10.0.0.2", "alice", "web2"),
                       (RULE1_ID, "10.0.0.9", "bob", "web3")])
        report("events of both inputs stored", ok, "not every line was stored in time")
        report("exactly the matching lines become alerts, with rule id and entities",
               sorted(summary(a) for a in got) == want, "got %r" % [summary(a) for a in got])
        a0 = got[0] if got else {}
        # risk: value 2 (no inventory) x medium 3 x status test 6 / 25 = 1.44
        report("alert row: level, tags, count, status, risk 1.4, null dst_ip/asset, one event id",
               a0.get("level") == "medium" and a0.get("title") == "SSH failed password"
               and a0.get("tags") == ["attack.credential_access", "attack.t1110.001"]
               and a0.get("count") == 1 and a0.get("status") == "new"
               and a0.get("dst_ip") is None and a0.get("risk") == 1.4
               and a0.get("asset") is None and len(a0.get("event_ids", [])) == 1
               and a0.get("first_seen", "").endswith("10:00:00.000000000Z"),
               "got %r" % a0)
        report("--level high filters the medium alerts out", alerts(data, "--level", "high") == [],
               "got alerts at --level high")

        # ---- a second rule + SIGHUP -------------------------------------------------------
        with open(os.path.join(rules, "ssh_root_login.yml"), "w") as f:
            f.write(RULE2)
        daemon.proc.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: "reloaded generation 2" in daemon.log_text(), 10)
        report("SIGHUP reloads the rules (logged with counts and times)",
               ok and "loaded 2 rules" in daemon.log_text() and "compile" in daemon.log_text(),
               daemon.log_text()[-600:])
        match2 = [accepted("db1", "root", "10.0.1.1", "11"), failed("db1", "carol", "10.0.1.2", "12")]
        quiet2 = [accepted("db1", "dave", "10.0.1.3", "13")]
        send_tcp(tcp, match2 + quiet2)
        ok = wait_for(lambda: all_stored(data, match2 + quiet2), 15)
        got = alerts(data)
        want += [(RULE2_ID, "10.0.1.1", "root", "db1"), (RULE1_ID, "10.0.1.2", "carol", "db1")]
        report("the new rule fires on new lines (old lines are not matched again)",
               ok and sorted(summary(a) for a in got) == sorted(want),
               "got %r" % [summary(a) for a in got])
        low = [a for a in got if a["rule_id"] == RULE2_ID]
        report("the new rule's alert carries its level and no tags",
               len(low) == 1 and low[0]["level"] == "low" and low[0]["tags"] == [],
               "got %r" % low)

        # ---- a broken rule + SIGHUP: rejected, the working set stays ----------------------
        with open(os.path.join(rules, "zz_broken.yml"), "w") as f:
            f.write(BROKEN)
        daemon.proc.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: "reload rejected" in daemon.log_text(), 10)
        log = daemon.log_text()
        line = next((l for l in log.splitlines() if "new refusal" in l), "")
        report("a reload with a newly broken rule is rejected, the log says why",
               ok and "zz_broken.yml" in line and BROKEN_ID in line and "nosuchmodifier" in line
               and "the working set stays" in log,
               "log tail %r" % log[-800:])
        match3 = [failed("app1", "erin", "10.0.2.1", "21"), accepted("app1", "root", "10.0.2.2", "22")]
        send_tcp(tcp, match3)
        ok = wait_for(lambda: all_stored(data, match3), 15)
        got = alerts(data)
        want += [(RULE1_ID, "10.0.2.1", "erin", "app1"), (RULE2_ID, "10.0.2.2", "root", "app1")]
        report("after the rejected reload both earlier rules still fire",
               ok and sorted(summary(a) for a in got) == sorted(want),
               "got %r" % [summary(a) for a in got])

        rc = daemon.stop()
        daemon = None
        report("SIGTERM stops the daemon with status 0", rc == 0, "rc %s" % rc)
        db = sqlite3.connect(os.path.join(data, "vigil.db"))
        rows = db.execute("SELECT result FROM audit WHERE action = 'rules.reload' ORDER BY id").fetchall()
        db.close()
        report("reloads are audited (ok, then rejected)",
               len(rows) == 2 and rows[0][0].startswith("ok") and rows[1][0].startswith("rejected"),
               "got %r" % rows)
    except Exception as e:  # a crash of the test is a failure, not a traceback only
        report("test ran to the end", False, repr(e))
    finally:
        if daemon is not None:
            daemon.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
