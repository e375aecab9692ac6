#!/usr/bin/env python3
"""test_serve_web_attacks.py — the built-in web attack analyzer rules in `vigil serve` and
`vigil hunt`. Access log lines with SQL injection (encoded, in a path segment), XSS,
and benign requests that look like them (O'Brien, "rock & roll", JSON, a base64 token)
go through a real daemon with no rule paths configured: each attack raises an alert of
its built-in rule with the attacker as src_ip, and its stored event carries the
evidence (attack.rule, attack.why, attack.evidence, attack.param); the benign requests
raise nothing. With `rules: {builtin: false}` the same lines raise no alert. `vigil
hunt` with no --rules finds the same attacks and prints the evidence; --no-builtin
without --rules is a usage error."""
import datetime
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, alerts_of, events_of, report, serve_tcp_lines, status  # noqa: E402


# event times near now: far from the receipt time they would raise a clock-skew alert
T0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(minutes=1)


def line(sec, ip, target, ua="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
         code=200):
    when = (T0 + datetime.timedelta(seconds=sec)).strftime("%d/%b/%Y:%H:%M:%S +0000")
    return ('%s - - [%s] "GET %s HTTP/1.1" %d 512 "-" "%s"' % (ip, when, target, code, ua))


# (line, the rule it must raise or None)
CASES = [
    (line(1, "203.0.113.5", "/products.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20"),
     "vigil-web-sqli"),
    (line(2, "203.0.113.6", "/item/1%20AND%20SLEEP(5)", code=404), "vigil-web-sqli"),
    (line(3, "203.0.113.7", "/search?lang=en&q=%253Csvg%252Fonload%253Dalert(1)%253E"), "vigil-web-xss"),
    (line(4, "198.51.100.1", "/search?q=O%27Brien+rock+%26+roll&page=2"), None),
    (line(5, "198.51.100.2", "/api/find?filter=%7B%22name%22%3A%22Tom%27s%20diner%22%7D"), None),
    (line(6, "198.51.100.3", "/login?next=%2Faccount%2Forders&token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"),
     None),
    (line(7, "198.51.100.4", "/blog/how-to-select-from-a-table-in-sql?ref=newsletter"), None),
    (line(8, "203.0.113.8", "/static/..%252f..%252f..%252fetc%252fpasswd"), "vigil-web-traversal"),
    (line(9, "203.0.113.9", "/tools/ping?host=127.0.0.1%7C%7Cwhoami"), "vigil-web-cmdi"),
    (line(10, "203.0.113.10", "/", ua="Mozilla/5.0 (compatible; Nuclei - Open-source project"
          " (github.com/projectdiscovery/nuclei))"), "vigil-web-scanner"),
    (line(11, "198.51.100.5", "/docs/guide/../index.html?q=tom+%26+jerry%3B+cats",
          ua="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), None),
]






def run(tmp, name, extra):
    data = os.path.join(tmp, name)
    conf = os.path.join(tmp, name + ".yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nstats_interval: 1\nflush_ms: 20\n%s"
                "inputs:\n  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n" % (data, extra))
    ok = serve_tcp_lines(conf, data, [l for l, _ in CASES], os.path.join(tmp, name + ".log"))
    return ok, data


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ok, data = run(tmp, "on", "")
        report("serve (built-in rules by default) stores every line", ok)
        got = alerts_of(data)
        by_ip = {}
        for a in got:
            by_ip.setdefault(a.get("src_ip"), []).append(a.get("rule_id"))
        want = {l.split()[0]: [r] for l, r in CASES if r}
        report("each attack raised its built-in rule's alert, the benign requests none",
               by_ip == want, "got %s, want %s" % (by_ip, want))
        levels = sorted(set((a.get("rule_id"), a.get("level")) for a in got))
        report("the analyzer alerts carry their rules' levels",
               levels == [("vigil-web-cmdi", "high"), ("vigil-web-scanner", "medium"),
                          ("vigil-web-sqli", "high"), ("vigil-web-traversal", "high"),
                          ("vigil-web-xss", "medium")], str(levels))
        evs = {e["raw"].split()[0]: e for e in events_of(data)}
        union = evs.get("203.0.113.5", {}).get("fields", {})
        report("the stored event of the UNION attack carries the evidence",
               union.get("attack.rule") == "vigil-web-sqli" and union.get("attack.analyzer") == "sqli"
               and union.get("attack.field") == "cs-uri-query" and union.get("attack.param") == "id"
               and union.get("attack.why") == "UNION SELECT"
               and "UNION SELECT username" in union.get("attack.evidence", ""),
               json.dumps({k: v for k, v in union.items() if k.startswith("attack.")}))
        xss = evs.get("203.0.113.7", {}).get("fields", {})
        report("the double-encoded XSS's evidence is decoded (<svg/onload=...)",
               "<svg/onload=alert(1)>" in xss.get("attack.evidence", "") and
               xss.get("attack.param") == "q", json.dumps(xss))
        benign = [ip for ip, e in evs.items() if ip.startswith("198.51.100.")
                  and any(k.startswith("attack.") for k in e.get("fields", {}))]
        report("no benign event carries attack fields", not benign, str(benign))

        ok, data = run(tmp, "off", "rules: {builtin: false}\n")
        got = alerts_of(data)
        report("with rules.builtin false the same lines raise no alert", ok and not got,
               "%d alerts" % len(got))

        log = os.path.join(tmp, "access.log")
        with open(log, "w") as f:
            f.write("".join(l + "\n" for l, _ in CASES))
        r = subprocess.run([VIGIL, "hunt", log], capture_output=True, text=True, timeout=60)
        rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        found = sorted((row["event"]["fields"].get("c-ip"), row["rule"]["id"]) for row in rows)
        report("hunt without --rules runs the analyzers",
               r.returncode == 0 and found == sorted((l.split()[0], rr) for l, rr in CASES if rr),
               "%s %s" % (found, r.stderr[-300:]))
        ev = [row.get("evidence") for row in rows if row["rule"]["id"] == "vigil-web-sqli"]
        report("hunt prints each analyzer match's evidence",
               len(ev) == 2 and all(e and e["analyzer"] == "sqli" and e["why"] and e["fragment"]
                                    for e in ev), str(ev))
        trav = [row.get("evidence") for row in rows if row["rule"]["id"] == "vigil-web-traversal"]
        report("the double-encoded traversal's evidence is decoded",
               len(trav) == 1 and "../../../etc/passwd" in trav[0]["fragment"]
               and trav[0]["field"] == "cs-uri-stem", str(trav))
        r = subprocess.run([VIGIL, "hunt", "--no-builtin", log], capture_output=True, text=True,
                           timeout=60)
        report("hunt --no-builtin without --rules is a usage error", r.returncode == 2,
               "exit %d" % r.returncode)
    return status()


if __name__ == "__main__":
    sys.exit(main())
