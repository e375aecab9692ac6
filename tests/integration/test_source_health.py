#!/usr/bin/env python3
"""test_source_health.py — source health in `vigil serve`: a network source that stops
sending for longer than its usual gap (here at least `silence_min: 2s`) raises "Source
stopped sending" once; a device whose own timestamps are hours off its receipt raises
"Device clock is off" once; a device with a good clock raises nothing. Works without any
rules configured."""
import datetime
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, alerts_of, report, status, stop_daemon, wait_ready  # noqa: E402


def line(host, offset_s, n):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_s)
    return "<14>1 %s %s app 1 - - event %d" % (t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), host, n)




def main():
    tmp = tempfile.mkdtemp(prefix="vigil-health-")
    proc = None
    try:
        data = os.path.join(tmp, "data")
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nhealth:\n  silence_min: 2s\n  silence_factor: 3\n"
                    "  max_clock_skew: 5m\ninputs:\n  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n" % data)
        err = open(os.path.join(tmp, "log"), "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"), timeout=20)
        if addrs is None:
            report("health: daemon started", False, "no ready file")
            return status()
        host, port = addrs["t"].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=10) as s:
            for i in range(25):  # a steady source: a line every 0.1 s
                s.sendall((line("goodclock", 0, i) + "\n").encode())
                if i < 12:
                    s.sendall((line("skewbox", 2 * 3600, i) + "\n").encode())  # 2 h ahead
                time.sleep(0.1)
            t_quiet = time.time()
            found = None
            while time.time() < t_quiet + 15 and not found:
                time.sleep(0.5)
                found = [a for a in alerts_of(data) if a["title"] == "Source stopped sending"]
            waited = time.time() - t_quiet
        report("health: a source silent for longer than its usual gap raises one alert",
               found and len(found) == 1 and found[0]["host"] == "127.0.0.1" and 2 <= waited < 12,
               "after %.1f s: %r" % (waited, found))
        time.sleep(3)  # it stays silent: no second alert
        rc = stop_daemon(proc)
        proc = None
        err.close()
        al = alerts_of(data)
        silent = [a for a in al if a["title"] == "Source stopped sending"]
        skew = [a for a in al if a["title"] == "Device clock is off"]
        report("health: still one silence alert while it stays silent", len(silent) == 1 and rc == 0,
               repr(silent))
        report("health: a device 2 h ahead raises one clock alert; a good clock none",
               len(skew) == 1 and skew[0]["host"] == "skewbox" and skew[0]["count"] == 1,
               repr(skew))
    finally:
        if proc:
            stop_daemon(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
