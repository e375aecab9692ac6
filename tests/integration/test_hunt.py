#!/usr/bin/env python3
"""test_hunt.py — `vigil hunt` end to end: rules of our own in a directory, a log file
mixing sshd lines, web requests and a JSON line; checks each jsonl match (rule id, title,
level, tags, the event), that a rule never fires on another logsource's events, the table
format, the summary on stderr, the exit statuses (bad usage, unreadable file, a broken
.evtx), and --placeholder values for |expand.
"""
import json
import os
import subprocess
import sys
import tempfile

from harness import VIGIL, report, status



RULES = {
    "ssh.yml": """title: SSH password failure for root
id: 0b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d
level: medium
tags: [attack.credential-access, attack.t1110]
logsource: {product: linux, service: sshd}
detection:
  sel: {user: root, outcome: failure}
  condition: sel
---
title: anything on sshd but publickey
id: 1c6d7e8f-90a1-4b2c-9d3e-4f5a6b7c8d9e
level: low
logsource: {product: linux, service: sshd}
detection:
  pk: {auth_method: publickey}
  condition: not pk
""",
    "web/sqli.yml": """title: union select in the query
id: 2d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f
level: high
tags: [attack.initial-access]
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: ['union%20select', 'union select']}
  condition: sel
""",
}

LOG = """Sep  5 02:00:00 web01 sshd[1]: Failed password for root from 203.0.113.5 port 4242 ssh2
Sep  5 02:00:01 web01 sshd[2]: Accepted publickey for alice from 10.0.0.7 port 50022 ssh2
Sep  5 02:00:02 web01 sshd[3]: Failed password for invalid user bob from 203.0.113.6 port 1 ssh2
203.0.113.9 - - [05/Sep/2024:02:00:03 +0000] "GET /i.php?id=1%20UNION%20SELECT%201 HTTP/1.1" 200 5 "-" "curl/8"
203.0.113.9 - - [05/Sep/2024:02:00:04 +0000] "GET /login?user=root&Failed%20password HTTP/1.1" 200 5 "-" "curl/8"
{"user": "root", "outcome": "failure", "message": "json, not sshd"}
"""


def hunt(args):
    # the user's rules alone: test_serve_web_attacks.py covers the built-in analyzers
    p = subprocess.run([VIGIL, "hunt", "--no-builtin", *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        for name, text in RULES.items():
            path = os.path.join(rules, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        log = os.path.join(tmp, "mixed.log")
        with open(log, "w") as f:
            f.write(LOG)
        rc, out, err = hunt(["--rules", rules, log])
        report("hunt exits 0", rc == 0, "status %d: %s" % (rc, err))
        matches = [json.loads(l) for l in out.splitlines() if l.strip()]
        got = sorted((m["rule"]["id"][:8], m["event"]["raw"][:28]) for m in matches)
        want = sorted([
            ("0b5c6d7e", "Sep  5 02:00:00 web01 sshd[1"),
            ("1c6d7e8f", "Sep  5 02:00:00 web01 sshd[1"),
            ("1c6d7e8f", "Sep  5 02:00:02 web01 sshd[3"),
            ("2d7e8f90", "203.0.113.9 - - [05/Sep/2024"),
        ])
        report("the right rules match the right events, none across logsources", got == want,
               "%s" % got)
        m = next((m for m in matches if m["rule"]["id"].startswith("0b5c")), None)
        report("a match carries rule id, title, level, tags and the event",
               m is not None and m["rule"]["title"] == "SSH password failure for root" and
               m["rule"]["level"] == "medium" and "attack.t1110" in m["rule"]["tags"] and
               m["event"]["fields"]["src_ip"] == "203.0.113.5", "%s" % m)
        report("the summary counts events and matches by level",
               "6 events, 4 matches (critical 0, high 1, medium 1, low 2" in err and
               "rules loaded 3, refused 0" in err, err)
        rc, out, err = hunt(["--rules", rules, "--format", "table", log])
        lines = out.splitlines()
        report("table format: one line per match", rc == 0 and len(lines) == 4 and
               any("union select in the query" in l for l in lines), out)
        rc, out, err = hunt(["--rules", rules])
        report("no file is a usage error", rc == 2, "status %d" % rc)
        rc, out, err = hunt(["--rules", rules, os.path.join(tmp, "missing.log"), log])
        report("an unreadable file: status 1, the others still read",
               rc == 1 and len(out.splitlines()) == 4 and "missing.log" in err, err)
        evtx = os.path.join(tmp, "x.evtx")
        with open(evtx, "wb") as f:
            f.write(b"ElfFile\0")
        rc, out, err = hunt(["--rules", rules, evtx])
        report("an .evtx file cut inside its header is refused, not read as text",
               rc == 1 and "x.evtx" in err and out == "", err)
        # |expand: refused until the placeholder has values, then each value is an
        # alternative
        expand = os.path.join(tmp, "expand.yml")
        with open(expand, "w") as f:
            f.write("""title: failure for an admin account
id: 3e8f90a1-b2c3-4d4e-9f5a-6b7c8d9e0f1a
level: high
logsource: {product: linux, service: sshd}
detection:
  sel: {user|expand: '%admins%', outcome: failure}
  condition: sel
""")
        rc, out, err = hunt(["--rules", expand, log])
        report("a rule naming an unconfigured placeholder is refused with the reason",
               out == "" and "placeholder %admins% has no value" in err, err)
        rc, out, err = hunt(["--rules", expand, "--placeholder", "admins=admin",
                             "--placeholder", "admins=root", log])
        got = [json.loads(l)["event"]["raw"][:28] for l in out.splitlines() if l.strip()]
        report("--placeholder gives it values (repeated: several)",
               rc == 0 and got == ["Sep  5 02:00:00 web01 sshd[1"], "%s %s" % (got, err))
        rc, out, err = hunt(["--rules", expand, "--placeholder", "ad-mins", log])
        report("--placeholder without NAME=VALUE is a usage error", rc == 2, err)
    return status()


if __name__ == "__main__":
    sys.exit(main())
