"""test_rules_test.py — `vigil rules test`: Vigil's own rules (rules/) all pass against
their match and nomatch logs; and the command fails when it should — a nomatch log that
alerts, a match log that does not, a rule file without its logs, a refused rule."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import TOP, VIGIL, report, status  # noqa: E402

RULE = """title: t
id: 0d6b2a34-0000-4000-8000-00000000000%d
logsource: {product: linux, service: sshd}
detection:
  sel: {outcome: failure}
  condition: sel
"""
FAIL = "Nov 25 10:00:00 srv1 sshd[1]: Failed password for root from 203.0.113.9 port 5 ssh2\n"
OK = "Nov 25 10:00:00 srv1 sshd[1]: Accepted password for root from 203.0.113.9 port 5 ssh2\n"


def run(*args):
    return subprocess.run([VIGIL, "rules", "test"] + list(args), capture_output=True, text=True,
                          timeout=120, cwd=TOP)


def main():
    p = run()
    lines = p.stdout.splitlines()
    passed = [l for l in lines if l.startswith("PASS ")]
    report("rules test: every bundled rule file passes its match and nomatch logs",
           p.returncode == 0 and len(passed) >= 15 and lines[-1] == "%d passed, 0 failed" % len(passed),
           p.stdout[-800:] + p.stderr[-300:])
    with tempfile.TemporaryDirectory() as tmp:
        def put(name, text):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        put("good.yml", RULE % 1)
        put("good.match.log", FAIL)
        put("good.nomatch.log", OK)
        put("noisy.yml", RULE % 2)
        put("noisy.match.log", FAIL)
        put("noisy.nomatch.log", FAIL)  # alerts where it must not
        put("blind.yml", RULE % 3)
        put("blind.match.log", OK)  # does not alert where it must
        put("blind.nomatch.log", OK)
        put("bare.yml", RULE % 4)  # no logs
        put("broken.yml", RULE.replace("outcome", "outcome|nosuch") % 5)
        p = run(tmp)
        out = p.stdout
        report("rules test: a nomatch log that alerts fails",
               "FAIL %s/noisy.yml: nomatch: 1 alert(s)" % tmp in out, out)
        report("rules test: a match log without an alert fails",
               "FAIL %s/blind.yml: match: no alert" % tmp in out, out)
        report("rules test: a rule file without its logs fails",
               "FAIL %s/bare.yml: cannot open %s/bare.match.log" % (tmp, tmp) in out, out)
        report("rules test: a refused rule fails, the rest are still tested",
               "broken.yml" in out and "refused" in out and "PASS %s/good.yml" % tmp in out
               and out.splitlines()[-1] == "1 passed, 4 failed" and p.returncode == 1, out)
    return status()


if __name__ == "__main__":
    sys.exit(main())
