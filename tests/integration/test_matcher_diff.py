#!/usr/bin/env python3
"""test_matcher_diff.py — the compiled matcher against the reference evaluator on the whole
public rule set: `vigil hunt --engine compiled` and `--engine reference` over the same
generated Windows-heavy stream (scripts/gen-sigma-bench.py: process creations, registry,
network, PowerShell, Linux, web, a small share of attacks) and the same mixed Linux/web
log must print exactly the same matches, and there must be matches to compare.
"""
import os
import subprocess
import sys
import tempfile

from harness import SHARED, TOP, VIGIL, report, status

EVENTS = os.environ.get("VIGIL_DIFF_EVENTS", "3000")


def hunt(engine, rules, files):
    p = subprocess.run([VIGIL, "hunt", "--engine", engine, "--rules", rules] + files,
                       capture_output=True, text=True, timeout=900)
    lines = [strip_received(l) for l in p.stdout.splitlines()]
    return p.returncode, lines, p.stderr


def strip_received(line):
    """The time an event was read differs between two runs: drop it."""
    i = line.find('"received":"')
    if i < 0:
        return line
    j = line.find('"', i + len('"received":"'))
    return line[:i] + line[j + 2:]


def main():
    rules = os.path.join(SHARED, "sigma-rules")
    if not os.path.isdir(rules):
        report("the public rule set is present", False, rules + " missing")
        return status()
    with tempfile.TemporaryDirectory() as tmp:
        win = os.path.join(tmp, "windows.jsonl")
        mixed = os.path.join(tmp, "mixed.log")
        with open(win, "w") as f:
            subprocess.run([sys.executable, os.path.join(TOP, "scripts", "gen-sigma-bench.py"),
                            EVENTS, "7"], stdout=f, check=True)
        with open(mixed, "w") as f:
            subprocess.run([sys.executable, os.path.join(SHARED, "tools", "gen-mixed-logs.py"),
                            "3000", "11"], stdout=f, check=True)
        rc_c, comp, err_c = hunt("compiled", rules, [win, mixed])
        rc_r, ref, err_r = hunt("reference", rules, [win, mixed])
        report("both engines read every file", rc_c == 0 and rc_r == 0,
               "compiled %d, reference %d: %s" % (rc_c, rc_r, err_c[-300:]))
        report("there are matches to compare (windows and linux/web)",
               len(comp) > 20 and any('"windows"' in l for l in comp) and
               any('"webserver"' in l for l in comp),
               "%d matches" % len(comp))
        first = next((i for i, (a, b) in enumerate(zip(comp, ref)) if a != b), None)
        report("the compiled matcher prints exactly the reference's matches, in order",
               comp == ref,
               "compiled %d lines, reference %d; first difference at %s: %s | %s" %
               (len(comp), len(ref), first,
                comp[first][:200] if first is not None else "",
                ref[first][:200] if first is not None else ""))
    return status()


if __name__ == "__main__":
    sys.exit(main())
