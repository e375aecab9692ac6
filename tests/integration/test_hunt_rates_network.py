#!/usr/bin/env python3
"""test_hunt_rates_network.py — the rate analyzers on firewall logs, through the real
decoder and `vigil hunt` (the same event-to-observation reading as `vigil serve`):
netfilter (iptables/UFW) kernel lines, so the SYN-only flags and the block verdict come
from the decoder's fields, not from the test.

- A SYN flood: one web server at about 20 connections/s from a few hundred clients for
  10 minutes, then 3,000 SYN-only connections/s from 2,000 sources for one minute →
  one DDoS finding on that address with the flood's span and a SYN-only share near 100%.
- A port scan: one source → 300 ports of one host in 30 s, blocked → one port scan
  naming the source and the host.
- A host sweep: one source → 200 hosts on port 445 in 30 s, blocked → one host sweep on
  port 445.
- The baseline alone → nothing.
"""
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, report, status  # noqa: E402

# a fixed day in the past (syslog stamps have no year: the current one is assumed)
T0 = datetime.datetime(datetime.date.today().year, 1, 10, 8, 0, 0)
BASE_S, FLOOD_S = 600, 60
SERVER = "10.0.0.80"


def stamp(s):
    return (T0 + datetime.timedelta(seconds=s)).strftime("%b %d %H:%M:%S")


def kernel(s, src, dst, dpt, flags, verdict):
    return ("%s fw1 kernel: [%d.000000] [UFW %s] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:52:54:00:12:34:56:08:00 "
            "SRC=%s DST=%s LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=%d DPT=%d "
            "WINDOW=64240 RES=0x00 %s URGP=0\n" % (stamp(s), 1000 + s, verdict, src, dst,
                                                  40000 + s % 20000, dpt, flags))


def write(path, flood, scans):
    rnd = random.Random(11)
    clients = ["172.16.%d.%d" % (i // 200, 1 + i % 200) for i in range(400)]
    bots = ["198.18.%d.%d" % (i // 250, 1 + i % 250) for i in range(2000)]
    with open(path, "w") as f:
        for s in range(BASE_S + FLOOD_S + 120):
            lines = [kernel(s, rnd.choice(clients), SERVER, 443, "ACK PSH", "ALLOW")
                     for _ in range(max(0, int(rnd.gauss(20, 4))))]
            if flood and BASE_S <= s < BASE_S + FLOOD_S:
                lines += [kernel(s, rnd.choice(bots), SERVER, 443, "SYN", "ALLOW")
                          for _ in range(3000)]
            if scans and 100 <= s < 130:
                lines += [kernel(s, "198.51.100.66", "10.0.0.5", 1 + (s - 100) * 10 + k, "SYN", "BLOCK")
                          for k in range(10)]
                lines += [kernel(s, "198.51.100.77", "10.0.1.%d" % (1 + (s - 100) * 7 + k), 445, "SYN",
                                 "BLOCK") for k in range(7)]
            rnd.shuffle(lines)
            f.write("".join(lines))


def hunt(path):
    r = subprocess.run([VIGIL, "hunt", path], capture_output=True, text=True, timeout=300)
    rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    return r.returncode, [row for row in rows if "rate" in row], r.stderr


def when(s):
    return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        attack = os.path.join(tmp, "fw.log")
        write(attack, True, True)
        rc, found, err = hunt(attack)
        kinds = sorted(f["rate"]["kind"] for f in found)
        report("hunt: the firewall log gives a DDoS, a port scan and a host sweep",
               rc == 0 and kinds == ["ddos", "host-sweep", "port-scan"], "%s %s" % (kinds, err[-300:]))
        ddos = [f for f in found if f["rate"]["kind"] == "ddos"]
        if len(ddos) == 1:
            d = ddos[0]["rate"]
            start = T0 + datetime.timedelta(seconds=BASE_S)
            end = T0 + datetime.timedelta(seconds=BASE_S + FLOOD_S)
            report("the DDoS names the server and spans the SYN flood's minute",
                   d["key"] == SERVER and ddos[0]["rule"]["id"] == "vigil-rate-ddos"
                   and abs((when(d["first"]) - start).total_seconds()) <= 3
                   and abs((when(d["last"]) - end).total_seconds()) <= 3, repr(d))
            report("its figures: peak about 3,000 connections/s, mostly SYN-only, ~2,000 sources",
                   2700 <= d["peak"] <= 3300 and "9" in d["summary"].split("% SYN-only")[0][-3:]
                   and 1500 <= d["sources"] <= 2600, d["summary"])
        scan = [f["rate"] for f in found if f["rate"]["kind"] == "port-scan"]
        report("the port scan names the scanner and the host scanned",
               len(scan) == 1 and scan[0]["key"] == "198.51.100.66" and scan[0]["target"] == "10.0.0.5"
               and scan[0]["peak"] >= 100, repr(scan))
        sweep = [f["rate"] for f in found if f["rate"]["kind"] == "host-sweep"]
        report("the host sweep names the source and the port",
               len(sweep) == 1 and sweep[0]["key"] == "198.51.100.77" and sweep[0]["port"] == 445,
               repr(sweep))
        base = os.path.join(tmp, "base.log")
        write(base, False, False)
        rc, found, err = hunt(base)
        report("the baseline alone gives no rate finding", rc == 0 and found == [], repr(found))
    return status()


if __name__ == "__main__":
    sys.exit(main())
