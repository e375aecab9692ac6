#!/usr/bin/env python3
"""test_rules.py — `vigil rules check` on the public SigmaHQ rule set beside the
repository (../shared/sigma-rules): at least 99.5% of the documents load, every refusal
is one line "path:line: id: reason" with a reason, the summary line is last, and the
exit status is 0 (every file was read). Also: a file that is not YAML makes the status 1.
"""
import os
import re
import subprocess
import sys
import tempfile

from harness import SHARED, VIGIL, report, status

RULES = os.path.join(SHARED, "sigma-rules")



def main():
    p = subprocess.run([VIGIL, "rules", "check", RULES], capture_output=True, timeout=600)
    out = p.stdout.decode("utf-8", "replace").splitlines()
    report("rules check exits 0 on the SigmaHQ set", p.returncode == 0,
           "status %d: %s" % (p.returncode, p.stderr.decode()[:300]))
    m = re.match(r"loaded (\d+), refused (\d+)", out[-1] if out else "")
    report("rules check ends with the summary line", m is not None, out[-1:] or "no output")
    if m:
        loaded, refused = int(m.group(1)), int(m.group(2))
        share = loaded / max(1, loaded + refused)
        report("at least 99.5%% of SigmaHQ loads (%d loaded, %d refused)" % (loaded, refused),
               share >= 0.995 and loaded >= 3700, "%.4f" % share)
        lines = out[:-1]
        shape = [l for l in lines if not re.match(r"^.+\.ya?ml:\d+: \S+: .{5,}$", l)]
        report("each refusal is one line path:line: id: reason", len(lines) == refused and
               not shape, "%d lines for %d refusals; bad: %s" % (len(lines), refused, shape[:3]))
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "bad.yml")
        with open(bad, "w") as f:
            f.write("title: [unclosed\n")
        p = subprocess.run([VIGIL, "rules", "check", bad], capture_output=True, timeout=60)
        out = p.stdout.decode()
        report("an unreadable file makes the status 1 and is named", p.returncode == 1 and
               "bad.yml" in out and "YAML" in out, "status %d: %s" % (p.returncode, out))
    return status()


if __name__ == "__main__":
    sys.exit(main())
