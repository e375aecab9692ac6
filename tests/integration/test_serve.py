#!/usr/bin/env python3
"""test_serve.py — integration test of `vigil serve`: the real daemon on 127.0.0.1
ephemeral ports with a temp data dir, checked through `vigil search --format jsonl`.

Cases:
- config errors exit 2 with FILE:LINE (unknown key, bad port);
- UDP, TCP (octet counting and newline framing) and a file input (rotated by rename in
  the middle), SIGKILL mid-way, restart, the rest: every file line stored exactly once,
  nothing stored twice, TCP loss within the documented in-flight bound;
- SIGTERM writes everything accepted (batches held open by a long flush_ms);
- bad TCP input (garbage, NUL bytes, a 1 MB line, an octet count larger than the data,
  a half frame then disconnect) neither crashes nor hangs the daemon;
- copytruncate while running: the lines only the copy holds are read from it first;
- stdin as the only input: EOF ends the daemon, everything stored;
- `vigil stats` prints the counters.

In-flight bound (src/ingest/ingest.h): a SIGKILL loses at most the batch pool —
(queue_batches + inputs x workers + workers + 1) x batch_records records — plus what the
kernel held in socket buffers; the senders here are paced so those stay near empty.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import stop_daemon, wait_ready  # noqa: E402

VIGIL = os.environ.get("VIGIL_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "vigil")
FAILED = []
PROCS = []


def debug(msg):
    if os.environ.get("VIGIL_DEBUG"):
        sys.stderr.write("# %s\n" % msg)


def report(name, ok, why=""):
    if ok:
        print("ok - " + name)
    else:
        print("not ok - %s: %s" % (name, why))
        FAILED.append(name)


def write_config(path, data_dir, extra="", inputs=None):
    if inputs is None:
        inputs = ""
    with open(path, "w") as f:
        f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nstats_interval: 1\nlog_level: warn\n%s"
                % (data_dir, extra))
        f.write(inputs)


class Daemon:
    def __init__(self, conf, data_dir, stdin=None, args=()):
        self.data_dir = data_dir
        ready = os.path.join(data_dir, "serve.json")
        if os.path.exists(ready):
            os.unlink(ready)
        self.err = open(os.path.join(os.path.dirname(conf), "serve.%d.log" % time.time_ns()), "w")
        self.proc = subprocess.Popen([VIGIL, "serve", "-c", conf] + list(args),
                                     stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        PROCS.append(self.proc)
        self.addrs = wait_ready(self.proc, ready)
        if self.addrs is not None:
            return
        raise RuntimeError("daemon did not become ready (exit %s)" % self.proc.poll())

    def addr(self, name):
        host, port = self.addrs[name].rsplit(":", 1)
        return host, int(port)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        rc = stop_daemon(self.proc, sig, timeout)
        self.err.close()
        return rc


def search(data_dir, query=""):
    """All stored raw records (one per event)."""
    r = subprocess.run([VIGIL, "search", query, "-d", data_dir, "--format", "jsonl",
                        "--limit", "100000"], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("search failed: %s" % r.stderr.decode(errors="replace")[:300])
    out = []
    for line in r.stdout.decode(errors="replace").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


FILE_LINES = 6000  # lines of the file input before the restart (+500 after)
TOKEN = re.compile(r"\b(udp|tcpo|tcpl|file|drain|bad|stdin)-(\d+)-(\d+)\b")


def tokens(events):
    """{(kind, phase, n): count} over the raw records."""
    seen = {}
    for e in events:
        for m in TOKEN.finditer(e.get("raw") or ""):
            k = (m.group(1), int(m.group(2)), int(m.group(3)))
            seen[k] = seen.get(k, 0) + 1
    return seen


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def stats(data_dir):
    try:
        with open(os.path.join(data_dir, "stats.json")) as f:
            return {i["name"]: i for i in json.load(f)["inputs"]}
    except (OSError, ValueError, KeyError):
        return {}


def syslog(kind, phase, n):
    return "<13>Nov 25 10:00:00 h%s app[1]: event %s-%d-%d" % (kind, kind, phase, n)


# ---- cases ---------------------------------------------------------------------------


def case_config_errors(tmp):
    conf = os.path.join(tmp, "bad1.yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nbogus_key: 1\n" % os.path.join(tmp, "d0"))
    r = subprocess.run([VIGIL, "serve", "-c", conf], capture_output=True, timeout=20)
    err = r.stderr.decode(errors="replace")
    report("config unknown key refused with FILE:LINE and status 2",
           r.returncode == 2 and (conf + ":2:") in err and "bogus_key" in err,
           "rc %s stderr %r" % (r.returncode, err[:200]))
    conf = os.path.join(tmp, "bad2.yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\ninputs:\n  - type: syslog_tcp\n    listen: 127.0.0.1:70000\n"
                % os.path.join(tmp, "d0"))
    r = subprocess.run([VIGIL, "serve", "-c", conf], capture_output=True, timeout=20)
    err = r.stderr.decode(errors="replace")
    report("config bad port refused with FILE:LINE and status 2",
           r.returncode == 2 and (conf + ":4:") in err and "listen" in err,
           "rc %s stderr %r" % (r.returncode, err[:200]))


class Sender(threading.Thread):
    """Paced TCP sender: octet-counted or newline-framed records, counted as sent only
    once sendall returned."""

    def __init__(self, addr, kind, phase, start, count, octet):
        super().__init__(daemon=True)
        self.addr, self.kind, self.phase = addr, kind, phase
        self.start_n, self.count, self.octet = start, count, octet
        self.sent = 0
        self.halt = threading.Event()

    def run(self):
        try:
            s = socket.create_connection(self.addr, timeout=10)
        except OSError:
            return
        try:
            n = self.start_n
            while n < self.start_n + self.count and not self.halt.is_set():
                burst = []
                for k in range(n, min(n + 20, self.start_n + self.count)):
                    m = syslog(self.kind, self.phase, k).encode()
                    burst.append(b"%d %s" % (len(m), m) if self.octet else m + b"\n")
                s.sendall(b"".join(burst))
                self.sent += len(burst)
                n += len(burst)
                time.sleep(0.01)
        except OSError:
            pass
        finally:
            s.close()


def append_lines(path, phase, start, end):
    with open(path, "a") as f:
        for i in range(start, end):
            f.write("Nov 25 10:00:00 hf app[2]: event file-%d-%d\n" % (phase, i))


def send_udp(addr, phase, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(count):
        s.sendto(syslog("udp", phase, i).encode(), addr)
        if i % 50 == 49:
            time.sleep(0.005)
    s.close()


def case_kill_restart(tmp):
    data = os.path.join(tmp, "data1")
    log = os.path.join(tmp, "app.log")
    conf = os.path.join(tmp, "serve1.yaml")
    qb, br, ninputs, workers = 4, 100, 3, 1
    bound = (qb + ninputs * workers + workers + 1) * br
    write_config(conf, data, "flush_ms: 20\nqueue_batches: %d\nbatch_records: %d\n" % (qb, br),
                 "inputs:\n  - {type: syslog_udp, name: udp, listen: '127.0.0.1:0'}\n"
                 "  - {type: syslog_tcp, name: tcp, listen: '127.0.0.1:0'}\n"
                 "  - {type: file, name: app, path: '%s'}\n" % log)
    append_lines(log, 0, 0, 300)
    d = Daemon(conf, data)
    tcp = d.addr("tcp")
    so = Sender(tcp, "tcpo", 1, 0, 100000, True)
    sl = Sender(tcp, "tcpl", 1, 0, 100000, False)
    so.start()
    sl.start()
    send_udp(d.addr("udp"), 1, 300)
    append_lines(log, 0, 300, 600)
    time.sleep(0.3)
    os.rename(log, log + ".1")  # rotation by rename while running

    def writer():  # keeps appending through the SIGKILL and the downtime
        for start in range(600, FILE_LINES, 50):
            append_lines(log, 0, start, start + 50)
            time.sleep(0.005)

    fw = threading.Thread(target=writer, daemon=True)
    fw.start()
    time.sleep(0.4)
    rc = d.stop(signal.SIGKILL)
    so.halt.set()
    sl.halt.set()
    so.join(10)
    sl.join(10)
    sent_o, sent_l = so.sent, sl.sent
    at_kill = tokens(search(data))
    debug("at SIGKILL: sent tcp %d+%d; stored file %d tcp %d udp %d" % (
        sent_o, sent_l, sum(1 for k in at_kill if k[0] == "file"),
        sum(1 for k in at_kill if k[0].startswith("tcp")),
        sum(1 for k in at_kill if k[0] == "udp")))
    report("daemon killed with SIGKILL mid-way", rc == -signal.SIGKILL, "rc %s" % rc)
    fw.join(60)

    d = Daemon(conf, data)
    send_udp(d.addr("udp"), 2, 200)
    s2 = Sender(d.addr("tcp"), "tcpo", 2, 0, 300, True)
    s2.start()
    append_lines(log, 0, FILE_LINES, FILE_LINES + 500)
    s2.join(20)

    def file_done():
        t = tokens(search(data, "file"))
        return sum(1 for k in t if k[0] == "file") >= FILE_LINES + 500

    done = wait_for(file_done, 30)
    time.sleep(0.5)
    rc = d.stop(signal.SIGTERM)
    report("restarted daemon exits 0 on SIGTERM", rc == 0, "rc %s" % rc)

    seen = tokens(search(data))
    dup = [k for k, c in seen.items() if c > 1]
    report("nothing stored twice", not dup, "duplicates: %s" % dup[:5])
    missing = [i for i in range(FILE_LINES + 500) if ("file", 0, i) not in seen]
    report("every file line stored exactly once across rotation and SIGKILL",
           done and not missing and not [k for k in dup if k[0] == "file"],
           "missing %d lines, e.g. %s" % (len(missing), missing[:5]))
    got_o = sum(1 for k in seen if k[0] == "tcpo" and k[1] == 1)
    got_l = sum(1 for k in seen if k[0] == "tcpl" and k[1] == 1)
    lost = (sent_o - got_o) + (sent_l - got_l)
    debug("after restart: tcp phase 1 sent %d+%d stored %d+%d (lost %d)" % (
        sent_o, sent_l, got_o, got_l, lost))
    report("TCP loss at SIGKILL within the in-flight bound (%d records)" % bound,
           sent_o > 0 and sent_l > 0 and 0 <= lost <= bound + 200 and got_o <= sent_o,
           "sent %d+%d stored %d+%d" % (sent_o, sent_l, got_o, got_l))
    got2 = sum(1 for k in seen if k[0] == "tcpo" and k[1] == 2)
    report("TCP after restart: all %d stored" % s2.sent, got2 == s2.sent == 300,
           "sent %d stored %d" % (s2.sent, got2))
    st = stats(data)
    udp2 = sum(1 for k in seen if k[0] == "udp" and k[1] == 2)
    dropped = int(st.get("udp", {}).get("dropped", -1))
    report("UDP after restart: every datagram stored or counted as dropped",
           dropped >= 0 and udp2 + dropped >= 200, "stored %d dropped %d" % (udp2, dropped))
    r = subprocess.run([VIGIL, "stats", "-d", data], capture_output=True, timeout=20)
    out = r.stdout.decode(errors="replace")
    report("vigil stats prints the inputs and sources",
           r.returncode == 0 and "RECEIVED" in out and "tcp" in out and "app" in out
           and "127.0.0.1" in out, out[:300])


def case_sigterm_drains(tmp):
    data = os.path.join(tmp, "data2")
    conf = os.path.join(tmp, "serve2.yaml")
    # batches stay open (flush_ms 60 s, 5000 records): only the shutdown drain writes them
    write_config(conf, data, "flush_ms: 60000\nbatch_records: 5000\n",
                 "inputs:\n  - {type: syslog_tcp, name: tcp, listen: '127.0.0.1:0'}\n"
                 "  - {type: syslog_udp, name: udp, listen: '127.0.0.1:0'}\n")
    d = Daemon(conf, data)
    s = socket.create_connection(d.addr("tcp"), timeout=10)
    for i in range(500):
        s.sendall((syslog("drain", 1, i) + "\n").encode())
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(500, 600):
        u.sendto(syslog("drain", 1, i).encode(), d.addr("udp"))
    u.close()
    accepted = wait_for(lambda: int(stats(data).get("tcp", {}).get("received", 0)) >= 500
                        and int(stats(data).get("udp", {}).get("received", 0))
                        + int(stats(data).get("udp", {}).get("dropped", 0)) >= 100, 10)
    before = len(search(data, "drain"))
    rc = d.stop(signal.SIGTERM)
    s.close()
    seen = tokens(search(data, "drain"))
    udp_dropped = int(stats(data).get("udp", {}).get("dropped", 0))
    n_tcp = sum(1 for k in seen if k[1] == 1 and k[2] < 500)
    n_udp = sum(1 for k in seen if k[1] == 1 and k[2] >= 500)
    report("SIGTERM writes everything accepted (held in open batches until then)",
           accepted and rc == 0 and before < 600 and n_tcp == 500 and n_udp + udp_dropped == 100,
           "accepted %s rc %s before %d tcp %d udp %d dropped %d"
           % (accepted, rc, before, n_tcp, n_udp, udp_dropped))


def case_bad_input(tmp):
    data = os.path.join(tmp, "data3")
    conf = os.path.join(tmp, "serve3.yaml")
    write_config(conf, data, "flush_ms: 20\n",
                 "inputs:\n  - {type: syslog_tcp, name: tcp, listen: '127.0.0.1:0',"
                 " idle_timeout: 2}\n")
    d = Daemon(conf, data)
    addr = d.addr("tcp")
    socks = []
    try:
        a = socket.create_connection(addr, timeout=5)
        a.sendall(bytes(range(256)) * 64 + b"\n")  # binary garbage
        b = socket.create_connection(addr, timeout=5)
        b.sendall(b"\0" * 5000 + b"<13>after nuls bad-1-1\n")
        c = socket.create_connection(addr, timeout=5)
        c.sendall(b"<13>big bad-1-2 " + b"x" * (1 << 20) + b"\n<13>after big bad-1-3\n")
        e = socket.create_connection(addr, timeout=5)
        e.sendall(b"5000 <13>short octet frame bad-1-4")  # count larger than the data
        f = socket.create_connection(addr, timeout=5)
        f.sendall(b"40 <13>half bad-1-7")  # half an octet-counted frame, then gone
        f.close()
        g = socket.create_connection(addr, timeout=5)
        g.sendall(b"<13>ok bad-1-5\n<13>trailing bad-1-6")  # an unterminated line, then EOF
        g.close()
        socks = [a, b, c, e]
        good = socket.create_connection(addr, timeout=5)
        good.sendall(b"<13>Nov 25 10:00:00 h app: good bad-1-9\n")
        good.close()
        ok = wait_for(lambda: ("bad", 1, 9) in tokens(search(data, "bad")), 10)
        report("other clients are served while bad clients are connected", ok, "")
        # the idle timeout closes the octet connection waiting for 5000 bytes
        closed = False
        e.settimeout(6)
        try:
            closed = e.recv(1) == b""
        except OSError:
            closed = True
        report("idle timeout closes a connection stuck in a frame", closed, "")
    finally:
        for s in socks:
            s.close()
    time.sleep(0.3)
    alive = d.proc.poll() is None
    rc = d.stop(signal.SIGTERM)
    evs = search(data, "bad")
    seen = tokens(evs)
    big = [e for e in evs if "bad-1-2" in (e.get("raw") or "")]
    report("daemon survives garbage, NULs, 1 MB line, short and half frames",
           alive and rc == 0, "alive %s rc %s" % (alive, rc))
    report("1 MB line stored cut to the frame cap, the next line intact",
           len(big) == 1 and len(big[0]["raw"]) <= 65536 and ("bad", 1, 3) in seen,
           "big %s" % [len(e["raw"]) for e in big])
    report("lines after NULs and a trailing line at EOF are kept; a half frame is not",
           ("bad", 1, 1) in seen and ("bad", 1, 5) in seen and ("bad", 1, 6) in seen
           and ("bad", 1, 7) not in seen,
           "seen %s" % sorted(k for k in seen if k[0] == "bad"))


def case_copytruncate(tmp):
    data = os.path.join(tmp, "data5")
    log = os.path.join(tmp, "ct.log")
    conf = os.path.join(tmp, "serve5.yaml")
    write_config(conf, data, "flush_ms: 20\n",
                 "inputs:\n  - {type: file, name: ct, path: '%s'}\n" % log)
    with open(log, "w") as f:
        for i in range(100):
            f.write("Nov 25 10:00:00 hc app: event file-5-%d\n" % i)
    d = Daemon(conf, data)

    def stored(lo, hi):
        t = tokens(search(data, "file"))
        return sum(1 for k in t if k[1] == 5 and lo <= k[2] < hi)

    wait_for(lambda: stored(0, 100) == 100, 10)
    # copytruncate as logrotate does it, racing the tail: 50 more lines, copy, truncate,
    # then a new content longer than the old one (the size alone would not show it)
    with open(log, "a") as f:
        for i in range(100, 150):
            f.write("Nov 25 10:00:00 hc app: event file-5-%d\n" % i)
    shutil.copyfile(log, log + ".1")
    with open(log, "w") as f:
        for i in range(150, 400):
            f.write("Nov 25 10:00:00 hc app: newer event file-5-%d\n" % i)
    ok = wait_for(lambda: stored(0, 400) >= 400, 15)
    time.sleep(0.3)
    rc = d.stop()
    seen = tokens(search(data, "file"))
    mine = {k: c for k, c in seen.items() if k[1] == 5}
    missing = [i for i in range(400) if ("file", 5, i) not in mine]
    report("copytruncate while running: every line once (the copy is finished first)",
           ok and rc == 0 and not missing and max(mine.values()) == 1,
           "rc %s missing %s dup %s" % (rc, missing[:5], [k for k, c in mine.items() if c > 1][:5]))


def run_stdin(conf, data, src):
    """Runs the daemon with file src as its only input (stdin); returns its exit code."""
    with open(src) as f:
        d = Daemon(conf, data, stdin=f, args=["--stdin"])
        try:
            rc = d.proc.wait(20)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        d.stop()
    return rc


def case_stdin(tmp):
    data = os.path.join(tmp, "data4")
    conf = os.path.join(tmp, "serve4.yaml")
    write_config(conf, data, "", "inputs: []\n")
    src = os.path.join(tmp, "in.txt")
    with open(src, "w") as f:
        for i in range(1000):
            f.write("Nov 25 10:00:00 hs app: event stdin-1-%d\n" % i)
    rc = run_stdin(conf, data, src)
    seen = tokens(search(data, "stdin"))
    report("stdin as the only input: EOF stops the daemon, all lines stored",
           rc == 0 and len(seen) == 1000 and max(seen.values()) == 1,
           "rc %s stored %d" % (rc, len(seen)))

    # A second run on the same data: the source inventory keeps the first run's
    # first-seen time and adds the second run's events.
    second_start = time.time_ns()
    with open(src, "w") as f:
        for i in range(500):
            f.write("Nov 25 10:00:01 hs app: event stdin-2-%d\n" % i)
    rc = run_stdin(conf, data, src)
    db = sqlite3.connect(os.path.join(data, "vigil.db"))
    rows = db.execute("SELECT input, host, first_seen, last_seen, events FROM sources").fetchall()
    db.close()
    report("source inventory kept across restarts (first seen, events added up)",
           rc == 0 and len(rows) == 1 and rows[0][1] == "-" and rows[0][4] == 1500 and
           rows[0][2] < second_start <= rows[0][3], repr(rows))


def main():
    if not os.path.exists(VIGIL):
        print("not ok - vigil binary: %s not found" % VIGIL)
        return 1
    tmp = tempfile.mkdtemp(prefix="vigil-serve-")
    try:
        for case in (case_config_errors, case_kill_restart, case_sigterm_drains, case_bad_input,
                     case_copytruncate, case_stdin):
            try:
                case(tmp)
            except Exception as e:  # a broken case is a failure, the others still run
                report(case.__name__, False, "%s: %s" % (type(e).__name__, e))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
                p.wait()
        if FAILED and os.environ.get("VIGIL_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
