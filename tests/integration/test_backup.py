#!/usr/bin/env python3
"""test_backup.py — `vigil backup` while the daemon runs, `vigil restore` into an empty
directory, and the same answers from both.

A daemon with Vigil's rules and its console takes a scenario (an SSH brute force, other
sshd lines), the administrators sign in and enrol TOTP, an analyst account is made. The
backup is taken online; then the daemon stops and the restored copy must answer a search
and the alert list exactly as the original does, verify its audit trail, and serve the
console to the same accounts with the same passwords and second factors (the key of
secrets at rest came along). A backup with a changed file is refused, as is a restore
into a directory that holds a store.
"""
import os
import shutil
import subprocess
import tempfile
import time

from console import (Client, input_addr, new_account, ready_admin, rules_config, send_tcp,
                     stamp, start_console, totp)
from harness import TOP, VIGIL, report, status, stop_daemon


def run(*args):
    p = subprocess.run([VIGIL, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def answers(data):
    """What the CLI says of a store: a search and the alerts, as sorted JSON lines."""
    _, s, _ = run("search", "program:sshd", "--format", "jsonl", "--limit", "10000", "-d", data)
    _, a, _ = run("alerts", "--format", "jsonl", "-d", data)
    return sorted(s.splitlines()), sorted(a.splitlines())


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-backup-")
    proc = None
    try:
        started = start_console(tmp, rules_config(TOP), tcp=True)
        report("the daemon starts", started is not None, "")
        if not started:
            return
        proc, url, first, data = started
        lines = ["<38>1 %s srv1 sshd %d - - Failed password for root from 203.0.113.77 port %d"
                 " ssh2" % (stamp(120 - i), 100 + i, 40000 + i) for i in range(10)]
        lines += ["<38>1 %s srv2 sshd 300 - - Accepted password for deploy from 192.0.2.4 port"
                  " 50000 ssh2" % stamp(60)]
        send_tcp(input_addr(data, "syslog_tcp"), lines)
        admins = {}
        for name, pw in (("sysadmin", "Moon-river-1961"), ("secadmin", "blue-Kite-47")):
            c, seed = ready_admin(url, name, first[name], pw)
            admins[name] = (c, seed, pw)
        ok = all(c for c, _, _ in admins.values())
        ana = new_account(url, admins["sysadmin"][0], admins["secadmin"][0], "ana", "analyst",
                          "Tr0ub4dor&3x")
        ok = ok and ana is not None
        alerts = []
        for _ in range(60):
            st, alerts = ana.call("GET", "/api/v1/alerts")
            if st == 200 and alerts:
                break
            time.sleep(1)
        report("the scenario is stored and alerted, the accounts are ready",
               ok and alerts and len(alerts) >= 1, repr(alerts)[:200])

        bk = os.path.join(tmp, "backup")
        rc, out, err = run("backup", "-d", data, "--out", bk)
        report("vigil backup copies the store while the daemon runs",
               rc == 0 and "backed up" in out and os.path.exists(os.path.join(bk, "MANIFEST")),
               "%d %s %s" % (rc, out, err))
        names = sorted(os.listdir(bk))
        report("the backup holds vigil.db, the day files, the keys and the heads",
               {"vigil.db", "audit.key", "secrets.key", "audit.heads", "MANIFEST"} <= set(names)
               and any(n.startswith("events-") for n in names), repr(names))
        code = stop_daemon(proc)
        proc = None
        report("the daemon stops", code == 0, str(code))

        want = answers(data)
        rc, out, err = run("restore", "--from", bk, "-d", data)
        report("a restore into a directory that holds a store is refused",
               rc == 1 and "restore into an empty directory" in err, "%d %s" % (rc, err))
        new = os.path.join(tmp, "restored")
        rc, out, err = run("restore", "--from", bk, "-d", new)
        report("vigil restore into an empty directory", rc == 0, "%d %s %s" % (rc, out, err))
        got = answers(new)
        report("the restored store gives the same search answer",
               got[0] == want[0] and len(got[0]) == len(lines), "%d vs %d" % (len(got[0]), len(want[0])))
        report("the restored store gives the same alerts", got[1] == want[1] and got[1],
               "%r vs %r" % (got[1][:1], want[1][:1]))
        rc, out, _ = run("audit", "verify", "-d", new)
        report("the restored audit trail verifies against its heads", rc == 0 and out.startswith("ok:"),
               out)

        # the daemon on the restored directory (start_console's data dir is tmp/restored)
        started = start_console(tmp, "", name="restored")
        if started:
            proc, url2, made, _ = started
            report("the restored store keeps its accounts (none made anew)", made == {}, repr(made))
            c = Client(url2)
            st, j = c.login("secadmin", admins["secadmin"][2], totp(admins["secadmin"][1], time.time() + 30))
            st2, _ = Client(url2).login("ana", "Tr0ub4dor&3x")
            report("the restored console signs in the same accounts, TOTP included",
                   st == 200 and st2 == 200, "%d %s %d" % (st, j, st2))
        else:
            report("the daemon starts on the restored store", False, "")

        bad = os.path.join(tmp, "tampered")
        shutil.copytree(bk, bad)
        with open(os.path.join(bad, "vigil.db"), "r+b") as f:
            f.seek(200)
            f.write(b"\x00\x01\x02")
        rc, _, err = run("restore", "--from", bad, "-d", os.path.join(tmp, "r2"))
        report("a backup with a changed file is refused before anything is written",
               rc == 1 and "vigil.db" in err and not os.path.exists(os.path.join(tmp, "r2", "vigil.db")),
               "%d %s" % (rc, err))
    finally:
        if proc:
            stop_daemon(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
