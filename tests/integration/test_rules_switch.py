#!/usr/bin/env python3
"""test_rules_switch.py — rules listed and switched off and on from the console.

A daemon with Vigil's rules; the security administrator lists them, switches the
new-account rule off: a useradd line then raises no alert; the switch survives a restart
of the daemon; switched on again, the next useradd line alerts. An analyst may list the
rules but not switch them. Each switch is in the audit trail.
"""
import os
import shutil
import tempfile
import time

from console import (Client, input_addr, new_account, ready_admin, rules_config, send_tcp,
                     stamp, start_console, totp)
from harness import TOP, report, status, stop_daemon

NEW_ACCOUNT = "5f0c8e5e-3f0a-4c3b-9d0a-6b1f2a7c0501"


def useradd(data, name):
    send_tcp(input_addr(data, "syslog_tcp"),
             ["<38>1 %s srv1 useradd 3000 - - new user: name=%s, UID=1001, GID=1001,"
              " home=/home/%s, shell=/bin/bash, from=/dev/pts/0" % (stamp(0), name, name)])


def alerts_for(client, wait):
    """The alerts of the new-account rule, waiting up to `wait` seconds for one."""
    deadline = time.time() + wait
    while True:
        st, al = client.call("GET", "/api/v1/alerts?limit=1000")
        hits = [a for a in al or [] if a["rule_id"] == NEW_ACCOUNT] if st == 200 else []
        if hits or time.time() > deadline:
            return hits
        time.sleep(0.5)


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-rules-")
    proc = None
    try:
        started = start_console(tmp, rules_config(TOP), tcp=True)
        report("the daemon starts with Vigil's rules", started is not None, "")
        if not started:
            return
        proc, url, first, data = started
        sec, seed = ready_admin(url, "secadmin", first["secadmin"], "blue-Kite-47")
        sysc, sys_seed = ready_admin(url, "sysadmin", first["sysadmin"], "Moon-river-1961")
        ana = new_account(url, sysc, sec, "ana", "analyst", "Tr0ub4dor&3x")
        if ana is None:
            report("an analyst account is ready", False, "")
            return

        st, rules = ana.call("GET", "/api/v1/rules")
        ids = {r["id"]: r for r in rules["rules"]} if st == 200 else {}
        report("the loaded rules are listed, each with its state", NEW_ACCOUNT in ids
               and ids[NEW_ACCOUNT]["disabled"] is False and len(ids) >= 10, "%d %r" % (st, rules)[:300])
        st, _ = ana.call("POST", "/api/v1/rules/%s/disable" % NEW_ACCOUNT)
        report("an analyst cannot switch a rule off", st == 403, str(st))
        st, j = sec.call("POST", "/api/v1/rules/%s/disable" % NEW_ACCOUNT)
        report("the security administrator switches a rule off", st == 200 and j["disabled"], str(j))
        useradd(data, "quietuser")
        report("a switched-off rule raises no alert", not alerts_for(ana, 4), "")

        code = stop_daemon(proc)
        started = start_console(tmp, rules_config(TOP), tcp=True)
        proc = started[0] if started else None
        url = started[1] if started else url
        sec = Client(url)
        sec.login("secadmin", "blue-Kite-47", totp(seed, time.time() + 30))
        st, rules = sec.call("GET", "/api/v1/rules")
        state = {r["id"]: r["disabled"] for r in rules["rules"]} if st == 200 else {}
        report("the switch outlives a restart", code == 0 and state.get(NEW_ACCOUNT) is True,
               repr(state.get(NEW_ACCOUNT)))
        useradd(data, "stillquiet")
        none = alerts_for(sec, 4)
        st, j = sec.call("POST", "/api/v1/rules/%s/enable" % NEW_ACCOUNT)
        useradd(data, "loudser")
        hits = alerts_for(sec, 15)
        report("switched on again, the rule alerts", st == 200 and not none and hits, repr(hits)[:200])
        st, rules = sec.call("GET", "/api/v1/rules")
        rule = {r["id"]: r for r in rules["rules"]}.get(NEW_ACCOUNT, {}) if st == 200 else {}
        report("the rule's matches since the restart are counted, switched off or not, and"
               " its cost was sampled on each line", rule.get("matches") == 2
               and rule.get("cost_samples") == 2 and rule.get("cost_ns", 0) > 0, repr(rule))
        sysc = Client(url)
        sysc.login("sysadmin", "Moon-river-1961", totp(sys_seed, time.time() + 30))
        st, body, _ = sysc.raw("GET", "/metrics")
        lines = body.decode().splitlines() if st == 200 else []
        mine = [ln for ln in lines if 'rule="%s"' % NEW_ACCOUNT in ln]
        report("/metrics has the rule's hits and sampled cost",
               any(ln.startswith("vigil_rule_hits_total{") and ln.endswith(" 2") for ln in mine)
               and any(ln.startswith("vigil_rule_cost_seconds_total{") for ln in mine)
               and any(ln.startswith("vigil_detect_sampled_events_total ") for ln in lines),
               "%d %r" % (st, mine))
        aud, _ = ready_admin(url, "auditor", first["auditor"], "xK9#mq2!Lp")
        st, trail = aud.call("GET", "/api/v1/audit?limit=500")
        acts = [(a["actor"], a["action"], a["object"]) for a in trail] if st == 200 else []
        report("each switch is audited", ("secadmin", "rule.disable", NEW_ACCOUNT) in acts
               and ("secadmin", "rule.enable", NEW_ACCOUNT) in acts, repr(acts[:10]))
    finally:
        if proc:
            stop_daemon(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
