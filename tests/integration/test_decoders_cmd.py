#!/usr/bin/env python3
"""test_decoders_cmd.py — `vigil decoders`: the routing table as JSON lines and as a
table; every decoder `vigil parse --format` knows has rows, and a few rows say what the
README's routing table says (auditd EXECVE is a process creation with Image from exe,
Security 4688 renames Image, Sysmon 13 is registry_set and registry_event).
"""
import json
import subprocess
import sys

from harness import VIGIL, report, status


def main():
    p = subprocess.run([VIGIL, "decoders", "--format", "jsonl"], capture_output=True,
                       timeout=30)
    rows = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    report("decoders --format jsonl exits 0 with rows", p.returncode == 0 and len(rows) > 30,
           p.stderr.decode())
    helptext = subprocess.run([VIGIL, "parse", "--help"], capture_output=True,
                              timeout=30).stdout.decode()
    names = helptext.split("force a decoder:")[1].split()
    missing = [n for n in names if not any(r["decoder"] == n for r in rows)]
    report("every decoder of parse --format has rows", not missing, "missing %s" % missing)

    def row(decoder, output_part, event_id=None):
        for r in rows:
            if r["decoder"] == decoder and output_part in r["output"] and \
                    r.get("event_id") == event_id:
                return r
        return None

    ex = row("auditd", "EXECVE")
    report("auditd EXECVE: process_creation, Image from exe",
           ex is not None and "linux/process_creation" in ex["routes"] and
           ["Image", "exe"] in ex["aliases"], ex)
    w = row("windows", "Security", 4688)
    report("Security 4688: process_creation, Image from NewProcessName",
           w is not None and w["routes"] == ["windows/process_creation"] and
           ["Image", "NewProcessName"] in w["aliases"], w)
    s = row("windows", "Sysmon", 13)
    report("Sysmon 13: registry_set and registry_event",
           s is not None and sorted(s["routes"]) ==
           ["windows/registry_event", "windows/registry_set"], s)
    t = subprocess.run([VIGIL, "decoders"], capture_output=True, timeout=30)
    lines = t.stdout.decode().splitlines()
    report("decoders prints a table: a header and one line per row",
           t.returncode == 0 and lines[0].split()[:3] == ["DECODER", "OUTPUT", "ROUTES"] and
           len(lines) == len(rows) + 1, lines[:2])
    bad = subprocess.run([VIGIL, "decoders", "--format", "xml"], capture_output=True,
                         timeout=30)
    report("decoders refuses an unknown format (exit 2)", bad.returncode == 2)
    return status()


if __name__ == "__main__":
    sys.exit(main())
