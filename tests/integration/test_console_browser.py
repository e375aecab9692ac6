#!/usr/bin/env python3
"""test_console_browser.py — the console in headless Chromium (tests/browser/console.mjs).

Starts the daemon with Vigil's own rules and the built console (web/dist), replays a
scenario over syslog/TCP — an SSH brute force from a public address, a new account made
on a host whose name is a <script> (and the account's an <img onerror>), a login attempt
for a user named <script>, a DHCP lease of a terminal the inventory does not know — and prepares
the accounts through the API (the administrators' first logins and TOTP, an analyst).
Then the browser signs in (with TOTP), checks the overview against the scenario,
acknowledges an alert, searches and pivots, switches to Chinese, checks that the <script>
is shown as text, reads and verifies the audit trail and makes an account. Screenshots
of every page go to BUILD/screenshots/.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

from console import (input_addr, new_account, ready_admin, rules_config, send_tcp, stamp,
                     start_console)
from harness import TOP, VIGIL, report, status, stop_daemon

BUILD = os.environ.get("VIGIL_BUILD", os.path.dirname(os.path.abspath(VIGIL)))
CHROMIUM = "/usr/bin/chromium"
ATTACKER = "61.177.172.140"  # a public address: the map needs a country


def scenario():
    t = stamp
    lines = []
    for i in range(12):
        lines.append("<38>1 %s srv1 sshd %d - - Failed password for root from %s port %d ssh2"
                     % (t(300 - 5 * i), 1000 + i, ATTACKER, 50000 + i))
    lines.append("<38>1 %s srv2 sshd 2000 - - Accepted publickey for deploy from 192.0.2.10"
                 " port 50100 ssh2" % t(200))
    # attacker-written text: a host name and a user name that are markup
    lines.append("<38>1 %s <script>alert('xss')</script> useradd 3000 - - new user: name=<img"
                 "/src=x/onerror=alert(1)>, UID=1001, GID=1001, home=/home/x, shell=/bin/bash,"
                 " from=/dev/pts/0" % t(150))
    lines.append("<38>1 %s srv1 sshd 1100 - - Failed password for invalid user <script>alert("
                 "'xss')</script> from %s port 4444 ssh2" % (t(140), ATTACKER))
    lines.append("<30>1 %s gw dhcpd 4000 - - DHCPACK on 10.9.8.7 to 00:11:22:33:44:55"
                 " (rogue-laptop) via eth0" % t(100))
    return lines


def main():
    if not os.path.exists(CHROMIUM) or not os.path.isdir(os.path.join(TOP, "web", "dist")):
        report("chromium and the built console are there (make setup, make)", False,
               "missing %s or web/dist" % CHROMIUM)
        return
    tmp = tempfile.mkdtemp(prefix="vigil-browser-")
    proc = None
    try:
        inventory = os.path.join(tmp, "assets.yaml")
        with open(inventory, "w") as f:
            f.write("assets:\n  - {address: 10.0.0.5, name: db01, owner: dba-team, department: IT,"
                    " value: 5, registered: true, tags: [database]}\n")
        extra = "  root: %s\n%sassets: %s\n" % (os.path.join(TOP, "web", "dist"),
                                                rules_config(TOP), inventory)
        started = start_console(tmp, extra, tcp=True)
        report("the daemon starts with rules and the built console", started is not None, "")
        if not started:
            return
        proc, url, first, data = started
        lines = scenario()
        send_tcp(input_addr(data, "syslog_tcp"), lines)
        users = {}
        for name, pw in (("sysadmin", "Moon-river-1961"), ("secadmin", "blue-Kite-47"),
                         ("auditor", "xK9#mq2!Lp")):
            c, seed = ready_admin(url, name, first[name], pw)
            if c is None:
                report("administrators ready", False, seed)
                return
            users[name] = {"password": pw, "seed": seed, "client": c}
        ana = new_account(url, users["sysadmin"]["client"], users["secadmin"]["client"], "ana",
                          "analyst", "Tr0ub4dor&3x")
        report("an analyst account is ready", ana is not None, "")
        if ana is None:
            return
        users["ana"] = {"password": "Tr0ub4dor&3x"}
        # the correlation of the brute force closes its window about lateness after the
        # last attempt: wait until the alerts are stored
        deadline, alerts = time.time() + 60, []
        while time.time() < deadline:
            st, alerts = ana.call("GET", "/api/v1/alerts")
            titles = {a["title"] for a in alerts or []}
            if st == 200 and len(titles) >= 3:
                break
            time.sleep(1)
        report("the scenario raised its alerts", len(titles) >= 3, repr(titles))
        cfg = {
            "url": url, "chromium": CHROMIUM, "shots": os.path.join(BUILD, "screenshots"),
            "users": {k: {kk: vv for kk, vv in v.items() if kk != "client"}
                      for k, v in users.items()},
            "expect": {"open_alerts": len(alerts or []), "events": len(lines),
                       "rule_title": "SSH brute force"},
        }
        env = dict(os.environ, VIGIL_CONSOLE=json.dumps(cfg))
        p = subprocess.run(["node", os.path.join(TOP, "tests", "browser", "console.mjs")],
                           capture_output=True, timeout=300, env=env)
        out = p.stdout.decode("utf-8", "replace")
        print(out, end="")
        if p.returncode != 0 and "not ok" not in out:
            report("the browser test ran", False, p.stderr.decode()[-1500:])
    finally:
        if proc:
            code = stop_daemon(proc)
            report("the daemon stops cleanly", code == 0, str(code))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
