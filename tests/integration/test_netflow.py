#!/usr/bin/env python3
"""test_netflow.py — the netflow input of `vigil serve`: NetFlow v5, v9 and IPFIX export
packets sent over UDP to 127.0.0.1, each flow stored as one event (decoder netflow, route
netflow) with its addresses, ports, protocol, bytes, packets and TCP flags, the time of
its end; v9/IPFIX data sent before its template is dropped and counted (never guessed),
and kept templates serve later packets; IPv6, IPFIX variable-length and enterprise
fields, and damaged packets (cut, lying lengths, bad templates) neither crash the daemon
nor make events.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

from harness import VIGIL, report, status, stop_daemon, wait_ready

T0 = 1732528800  # 2024-11-25T10:00:00Z


def v5(flows):
    hdr = struct.pack("!HHIIIIBBH", 5, len(flows), 100000, T0, 0, 1, 0, 7, 0)
    body = b""
    for src, dst, sport, dport, proto, flags, pkts, octets in flows:
        body += struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH", socket.inet_aton(src),
                            socket.inet_aton(dst), b"\0" * 4, 1, 2, pkts, octets,
                            95000, 99000, sport, dport, 0, flags, proto, 0, 0, 0, 0, 0, 0)
    return hdr + body


V9_FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (6, 1), (1, 4), (2, 4), (22, 4),
             (21, 4)]


def v9_template(tid=256, source=1):
    tpl = struct.pack("!HH", tid, len(V9_FIELDS)) + b"".join(
        struct.pack("!HH", t, l) for t, l in V9_FIELDS)
    fs = struct.pack("!HH", 0, 4 + len(tpl)) + tpl
    return struct.pack("!HHIIII", 9, 1, 100000, T0, 1, source) + fs


def v9_data(rows, tid=256, source=1):
    body = b""
    for src, dst, sport, dport, proto, flags, octets, pkts in rows:
        body += socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
            "!HHBBIIII", sport, dport, proto, flags, octets, pkts, 90000, 98000)
    pad = (4 - (4 + len(body)) % 4) % 4
    fs = struct.pack("!HH", tid, 4 + len(body) + pad) + body + b"\0" * pad
    return struct.pack("!HHIIII", 9, len(rows), 100000, T0, 2, source) + fs


def ipfix(tid=300):
    # template: src6, dst6, ports, proto, octetDeltaCount(8), flowEndMilliseconds,
    # an enterprise field (PEN 9, id 1, 4 bytes) and a variable-length string (id 82)
    fields = [(27, 16, 0), (28, 16, 0), (7, 2, 0), (11, 2, 0), (4, 1, 0), (1, 8, 0),
              (153, 8, 0), (1, 4, 9), (82, 65535, 0)]
    tpl = struct.pack("!HH", tid, len(fields))
    for ie, ln, pen in fields:
        tpl += struct.pack("!HH", ie | (0x8000 if pen else 0), ln) + (
            struct.pack("!I", pen) if pen else b"")
    tset = struct.pack("!HH", 2, 4 + len(tpl)) + tpl
    rec = socket.inet_pton(socket.AF_INET6, "2001:db8::5") + socket.inet_pton(
        socket.AF_INET6, "2001:db8::1") + struct.pack("!HHBQQI", 40000, 443, 6, 987654,
                                                       (T0 + 7) * 1000, 42)
    rec += bytes([5]) + b"eth0x"
    dset = struct.pack("!HH", tid, 4 + len(rec)) + rec
    body = tset + dset
    return struct.pack("!HHIII", 10, 16 + len(body), T0, 1, 5) + body


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nlog_level: warn\nflush_ms: 20\nstats_interval: 1\n"
                    "inputs:\n  - type: netflow\n    name: nf\n    listen: 127.0.0.1:0\n"
                    % data)
        err = open(os.path.join(tmp, "serve.log"), "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"))
        report("serve starts with a netflow input", addrs is not None, "exit %s" % proc.poll())
        if addrs is None:
            return status()
        host, port = addrs["nf"].rsplit(":", 1)
        dst = (host, int(port))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        early = v9_data([("198.51.100.1", "10.0.0.9", 1, 2, 17, 0, 1, 1)], tid=257)
        packets = [
            v5([("203.0.113.5", "10.0.0.2", 51234, 22, 6, 0x02, 3, 180),
                ("203.0.113.6", "10.0.0.2", 51235, 23, 6, 0x12, 4, 240)]),
            early,  # data before its template: dropped, counted
            v9_template(),
            v9_data([("192.0.2.7", "10.0.0.3", 5353, 53, 17, 0, 1500, 12)]),
            ipfix(),
            # damage: cut, a length that lies, a template with 0 fields, not netflow
            v5([("203.0.113.7", "10.0.0.2", 1, 2, 6, 0, 1, 1)])[:40],
            struct.pack("!HHIIII", 9, 1, 0, T0, 3, 1) + struct.pack("!HH", 256, 400),
            struct.pack("!HHIIII", 9, 1, 0, T0, 4, 1) + struct.pack("!HHHH", 0, 8, 260, 0),
            b"hello, not a flow",
            struct.pack("!HHIII", 10, 9999, T0, 1, 5),
        ]
        for p in packets:
            s.sendto(p, dst)
            time.sleep(0.02)
        s.close()
        rows = []
        for _ in range(100):
            r = subprocess.run([VIGIL, "search", "", "-d", data, "--format", "jsonl", "--limit",
                                "100"], capture_output=True, timeout=30)
            rows = [json.loads(l) for l in r.stdout.decode().splitlines() if l.strip()]
            if len(rows) >= 4:
                break
            time.sleep(0.1)
        time.sleep(1.5)  # a stats write after the last packet
        report("serve stops cleanly", stop_daemon(proc) == 0)
        err.close()
        by = {(r["fields"].get("src_ip"), r["fields"].get("dst_port")): r for r in rows}
        report("4 flows stored, nothing from damaged packets or early data", len(rows) == 4,
               [r["raw"] for r in rows])
        a = by.get(("203.0.113.5", "22"), {})
        f = a.get("fields", {})
        report("v5: addresses, ports, proto, flags, counts, routes, decoder",
               a.get("decoder") == "netflow" and a.get("routes") == ["netflow"] and
               f.get("dst_ip") == "10.0.0.2" and f.get("src_port") == "51234" and
               f.get("proto") == "tcp" and f.get("tcp_flags") == "0x02" and
               f.get("packets") == "3" and f.get("bytes") == "180" and
               f.get("flow_version") == "5", a)
        # v5 end: unix_secs - (uptime - last) = T0 - 1 s
        report("v5: the event's time is the flow's end", a.get("time", "").startswith(
            "2024-11-25T09:59:59"), a.get("time"))
        b = by.get(("192.0.2.7", "53"), {}).get("fields", {})
        report("v9: a kept template decodes a later packet", b.get("proto") == "udp" and
               b.get("bytes") == "1500" and b.get("packets") == "12", b)
        c = by.get(("2001:db8::5", "443"), {})
        cf = c.get("fields", {})
        report("IPFIX: IPv6, 8-byte counter, end in ms, enterprise and variable fields skipped",
               cf.get("dst_ip") == "2001:db8::1" and cf.get("bytes") == "987654" and
               c.get("time", "").startswith("2024-11-25T10:00:07"), c)
        stats = json.load(open(os.path.join(data, "stats.json")))
        nf = [i for i in stats.get("inputs", []) if i.get("name") == "nf"]
        report("early data counted as dropped, damaged packets as malformed",
               nf and nf[0].get("dropped", 0) >= 1 and nf[0].get("malformed", 0) >= 4, nf)
    return status()


if __name__ == "__main__":
    sys.exit(main())
