"""harness.py — what the integration tests share: where the binary and the shared
folder are, and the result lines scripts/run-tests.sh counts ("ok - NAME" or
"not ok - NAME: why")."""
import json
import os
import signal
import subprocess
import time

VIGIL = os.environ.get("VIGIL_BIN", "build/vigil")
TOP = os.environ.get("VIGIL_TOP", os.getcwd())
# The project's shared folder sits beside the repository (as on CI).
SHARED = os.path.join(TOP, "..", "shared")

_failed = []


def report(name, ok, why=""):
    """Prints the result line of one check."""
    if ok:
        print("ok - %s" % name)
    else:
        _failed.append(name)
        print("not ok - %s: %s" % (name, why))


def status():
    """The exit status of the test script: 1 when a check failed."""
    return 1 if _failed else 0


def wait_ready(proc, ready, timeout=10):
    """Waits until `vigil serve` (proc) has written its ready file (serve.json) naming its
    own pid; returns {input name: bound address}, or None when it exited or the time
    ran out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(ready) as f:
                j = json.load(f)
            if j.get("pid") == proc.pid:
                return {i["name"]: i["addr"] for i in j["inputs"]}
        except (OSError, ValueError):
            pass
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def stop_daemon(proc, sig=signal.SIGTERM, timeout=20):
    """Sends sig to a running daemon and waits for it; returns its exit status, or
    "timeout" when it had to be killed."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "timeout"


def hunt_cases(cases):
    """Runs `vigil hunt` with each case's one real SigmaHQ rule over its lines and reports
    that the rule loads and matches exactly its triggers. A case is (rule file under
    ../shared/sigma-rules/rules, rule id, lines that must match, lines that must not[,
    lines written before all the others, which must not match either: the context some
    decoders join, such as an audit SYSCALL record])."""
    import tempfile
    rules = os.path.join(SHARED, "sigma-rules", "rules")
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            rule, rid, hits, misses = case[:4]
            before = case[4] if len(case) > 4 else []
            log = os.path.join(tmp, "case.log")
            with open(log, "w") as f:
                f.write("\n".join(before + hits + misses) + "\n")
            p = subprocess.run([VIGIL, "hunt", "--no-builtin", "--rules", os.path.join(rules, rule), log],
                               capture_output=True, timeout=60)
            out = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
            got = sorted(m["event"]["raw"] for m in out if m["rule"]["id"] == rid)
            name = os.path.basename(rule)
            report("%s loads and hunts" % name, p.returncode == 0 and
                   "rules loaded 1, refused 0" in p.stderr.decode(), p.stderr.decode())
            report("%s matches its %d triggers and none of its %d other lines" %
                   (name, len(hits), len(misses) + len(before)), got == sorted(hits),
                   "got %s" % got)


def serve_tcp_lines(conf, data, lines, log, input_name="t", timeout=60):
    """Starts `vigil serve -c conf` (data_dir data, a syslog_tcp input named input_name,
    stats_interval 1), sends lines over one TCP connection, waits until stats.json says
    the input stored them all, and stops the daemon; True when all went so (its stderr
    is appended to log)."""
    import socket
    ready = os.path.join(data, "serve.json")
    if os.path.exists(ready):
        os.unlink(ready)
    with open(log, "a") as err:
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, ready, timeout=20)
        if addrs is None:
            stop_daemon(proc)
            return False
        host, port = addrs[input_name].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"".join(l.encode() + b"\n" for l in lines))
        deadline, done = time.time() + timeout, False
        while time.time() < deadline and not done:
            try:
                with open(os.path.join(data, "stats.json")) as f:
                    ins = {i["name"]: i for i in json.load(f)["inputs"]}
                done = int(ins[input_name]["stored"]) >= len(lines)
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.3)
        return stop_daemon(proc, timeout=30) == 0 and done


def alerts_of(data, *extra):
    """The alerts of the data dir `data` as `vigil alerts --format jsonl` lists them (at
    most 1000; extra arguments such as "--level", "high" are passed on)."""
    r = subprocess.run([VIGIL, "alerts", "-d", data, "--format", "jsonl", "--limit", "1000",
                        *extra], capture_output=True, text=True, timeout=60)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def events_of(data, query=""):
    """The events of the data dir `data` matching query (`vigil search --format jsonl`, at
    most 1000)."""
    r = subprocess.run([VIGIL, "search", query, "-d", data, "--format", "jsonl", "--limit",
                        "1000"], capture_output=True, text=True, timeout=60)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def wait_stored(data, name, n, timeout=120, proc=None):
    """Waits until input `name` stored n events (the daemon's stats.json); False at the
    timeout, or at once when proc (the daemon) has exited."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(os.path.join(data, "stats.json")) as f:
                ins = {i["name"]: i for i in json.load(f)["inputs"]}
            if int(ins.get(name, {}).get("stored", 0)) >= n:
                return True
        except (OSError, ValueError, KeyError):
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.5)
    return False
