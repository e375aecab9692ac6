#!/usr/bin/env python3
"""test_analyze_accuracy.py — the web attack analyzers hold issue 7's accuracy goals.

Runs `vigil analyze` (the harness) over the development payload lists of
../shared/webattack-dev and the repository's benign set, and checks what it prints:
SQL injection detected >= 95% and XSS >= 90%, each analyzer flagging <= 0.5% of the
benign values; and that the harness lists a family's misses. Then the path traversal,
command injection and scanner analyzers on the repository's own labelled lists
(tests/data/webattack: traversal.txt, cmdi.txt, scanner_ua.txt), each >= 95% detected,
with no false positive of theirs on the benign values and on benign_ua.txt (browsers,
crawlers, HTTP libraries). Also judges a few single values through the command line,
as an analyst would.
"""
import os
import re
import subprocess

from harness import TOP, VIGIL, report, status

DEV = os.path.join(TOP, "..", "shared", "webattack-dev")
DATA = os.path.join(TOP, "tests", "data", "webattack")
BENIGN = os.path.join(DATA, "benign.txt")
DET_RE = r"(\w+)\s+detected \d+ of \d+ \(([\d.]+)%\)"
FP_RE = r"(\w+)\s+flagged (\d+) of \d+ benign values \(false positives ([\d.]+)%\)"


def new_analyzers():
    """Traversal, command injection and scanner user agents on the repository's lists."""
    out = subprocess.run([VIGIL, "analyze", "--traversal", os.path.join(DATA, "traversal.txt"),
                          "--cmdi", os.path.join(DATA, "cmdi.txt"), "--scanner",
                          os.path.join(DATA, "scanner_ua.txt"), "--benign", BENIGN,
                          os.path.join(DATA, "benign_ua.txt"), "--misses", "5"],
                         capture_output=True, text=True, timeout=300)
    text = out.stdout
    det = {m[0]: float(m[1]) for m in re.findall(DET_RE, text)}
    fp = {m[0]: int(m[1]) for m in re.findall(FP_RE, text)}
    report("the harness reports traversal, cmdi and scanner", out.returncode == 0 and
           {"traversal", "cmdi", "scanner"} <= set(det) and
           {"traversal", "cmdi", "scanner"} <= set(fp), text[:400] + out.stderr[:200])
    for c in ("traversal", "cmdi", "scanner"):
        report("%s: >= 95%% of the labelled list detected" % c, det.get(c, 0) >= 95.0, text)
        report("%s: no false positive on the benign values and user agents" % c,
               fp.get(c, 1) == 0, text)

    one = subprocess.run([VIGIL, "analyze", "..%252f..%252fetc%252fpasswd", "../images/a.png",
                          "127.0.0.1%3Bcat%20/etc/passwd", "Tom & Jerry",
                          "sqlmap/1.7.2#stable (https://sqlmap.org)", "curl/8.5.0"],
                         capture_output=True, text=True, timeout=30)
    lines = [ln.split("\t") for ln in one.stdout.splitlines()]
    report("single values are judged by all five analyzers",
           [ln[0] for ln in lines] == ["traversal", "-", "traversal,cmdi", "-", "scanner", "-"]
           and lines[2][1] == "Unix account file; command after ;", one.stdout)


def main():
    new_analyzers()
    if not os.path.isdir(DEV):
        report("the development set is at ../shared/webattack-dev", False, DEV)
        return
    out = subprocess.run([VIGIL, "analyze", "--sqli", os.path.join(DEV, "sqli"), "--xss",
                          os.path.join(DEV, "xss"), "--benign", BENIGN, "--misses", "3"],
                         capture_output=True, text=True, timeout=300)
    text = out.stdout
    det = {m[0]: float(m[1]) for m in re.findall(DET_RE, text)}
    fp = {m[0]: float(m[2]) for m in re.findall(FP_RE, text)}
    report("the harness runs and reports both classes", out.returncode == 0 and
           set(det) == {"sqli", "xss"} and {"sqli", "xss"} <= set(fp), text[:400] + out.stderr[:200])
    report("SQL injection: >= 95% detected", det.get("sqli", 0) >= 95.0, repr(det))
    report("XSS: >= 90% detected", det.get("xss", 0) >= 90.0, repr(det))
    report("each analyzer flags <= 0.5% of the benign values",
           fp and max(fp.values()) <= 0.5, repr(fp))
    report("misses are listed by family", re.search(r"family \S+: \d+ of \d+ wrong", text)
           is not None, text[-400:])
    report("throughput is printed", "values/s on one core" in text, text[-200:])

    one = subprocess.run([VIGIL, "analyze", "1%20UNION%20SELECT%201,2", "O'Brien",
                          "<svg/onload=alert(1)>"], capture_output=True, text=True, timeout=30)
    lines = [ln.split("\t") for ln in one.stdout.splitlines()]
    report("single values are judged with the reason",
           [ln[0] for ln in lines] == ["sqli", "-", "xss"] and lines[0][1] == "UNION SELECT",
           one.stdout)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
