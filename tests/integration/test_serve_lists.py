#!/usr/bin/env python3
"""test_serve_lists.py — named lists and geolocation in `vigil serve`: a rule on
`src_ip_list: scanners` fires for an address in the list file and not for one outside it;
the file is then edited while the daemon runs and the new entry takes effect without a
restart; a domain list marks a Suricata DNS event's `dns.rrname`; a public source address gains its
country from Debian's geoip-database (installed by scripts/setup.sh), a private one none;
and a bad list file, or a missing MaxMind DB, is refused at start with the file named."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import VIGIL, alerts_of, events_of, report, status, stop_daemon, wait_ready  # noqa: E402

RULE = """title: Connection from a known scanner
id: 7c2d0a51-5a3e-4d6f-9b0e-2f1a7c3e0001
status: test
level: high
logsource:
  product: linux
  service: sshd
detection:
  selection:
    src_ip_list: scanners
  condition: selection
"""

RULE_DOM = """title: Lookup of a threat-intelligence domain
id: 7c2d0a51-5a3e-4d6f-9b0e-2f1a7c3e0002
status: test
level: medium
logsource:
  category: dns
detection:
  selection:
    domain_list: ti_domains
  condition: selection
"""


def sshd(ip, n):
    return ("<38>Nov 25 10:00:%02d srv1 sshd[4%03d]: Failed password for root from %s port 5%03d ssh2"
            % (n % 60, n, ip, n))


def eve_dns(ip, name):
    return json.dumps({"timestamp": "2026-11-25T10:00:00.000000+0000", "event_type": "dns",
                       "src_ip": ip, "src_port": 5353, "dest_ip": "10.0.0.53", "dest_port": 53,
                       "proto": "UDP", "dns": {"type": "query", "rrname": name, "rrtype": "A"}})






def stored(data):
    try:
        with open(os.path.join(data, "stats.json")) as f:
            return int({i["name"]: i for i in json.load(f)["inputs"]}["t"]["stored"])
    except (OSError, ValueError, KeyError):
        return -1


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def scanner_ips(data):
    return sorted(a.get("src_ip", "") for a in alerts_of(data)
                  if a["title"] == "Connection from a known scanner")


def start_fails(tmp, conf_text):
    conf = os.path.join(tmp, "bad.yaml")
    with open(conf, "w") as f:
        f.write(conf_text)
    r = subprocess.run([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-lists-")
    proc = None
    try:
        rules = os.path.join(tmp, "rules")
        os.mkdir(rules)
        with open(os.path.join(rules, "scanner.yml"), "w") as f:
            f.write(RULE)
        with open(os.path.join(rules, "domain.yml"), "w") as f:
            f.write(RULE_DOM)
        scanners = os.path.join(tmp, "scanners.txt")
        with open(scanners, "w") as f:
            f.write("# known scanners\n203.0.113.0/24\n")
        doms = os.path.join(tmp, "bad-domains.csv")
        with open(doms, "w") as f:
            f.write("domain,source\nevil.example.com,feed-a\n")
        data = os.path.join(tmp, "data")
        conf = os.path.join(tmp, "vigil.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\nstats_interval: 1\nworkers: 2\nrules:\n  paths: [%s]\n"
                    "lists:\n"
                    "  - {name: scanners, file: %s, type: address}\n"
                    "  - {name: ti_domains, file: %s, type: domain}\n"
                    "inputs:\n  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}\n"
                    % (data, rules, scanners, doms))
        log = os.path.join(tmp, "log")
        err = open(log, "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"), timeout=20)
        report("lists: vigil serve starts with two lists", addrs is not None)
        if addrs is None:
            return status()
        host, port = addrs["t"].rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=10)

        def send(lines):
            sock.sendall(b"".join(l.encode() + b"\n" for l in lines))

        send([sshd("203.0.113.7", 1), sshd("198.51.100.9", 2), sshd("8.8.8.8", 3),
              sshd("10.1.2.3", 4),
              eve_dns("10.1.2.3", "www.EVIL.example.com"), eve_dns("10.1.2.4", "example.com")])
        got = wait_for(lambda: stored(data) >= 6 and scanner_ips(data) != [], 30)
        ips = scanner_ips(data)
        report("lists: the rule on src_ip_list fires for a listed address only",
               got and ips == ["203.0.113.7"], repr(ips))

        # the file edited while the daemon runs: the next check (every 2 s) reloads it
        time.sleep(1.1)  # a new modification time even on coarse clocks
        with open(scanners + ".new", "w") as f:
            f.write("# known scanners\n203.0.113.0/24\n198.51.100.0/24\n")
        os.replace(scanners + ".new", scanners)
        reloaded = wait_for(lambda: "lists: reloaded" in open(log).read(), 15)
        send([sshd("198.51.100.9", 5)])
        got = wait_for(lambda: stored(data) >= 7 and len(scanner_ips(data)) >= 2, 30)
        ips = scanner_ips(data)
        report("lists: an edited list file takes effect without a restart",
               reloaded and got and ips == ["198.51.100.9", "203.0.113.7"], repr(ips))

        # a bad line in the edited file: the previous list stays in force, the reason logged
        time.sleep(1.1)
        with open(scanners, "w") as f:
            f.write("203.0.113.0/24\nnot-an-address\n")
        said = wait_for(lambda: "scanners.txt:2: 'not-an-address'" in open(log).read(), 15)
        send([sshd("198.51.100.10", 6)])
        got = wait_for(lambda: stored(data) >= 8 and len(scanner_ips(data)) >= 2, 30)
        time.sleep(1.5)
        ips = scanner_ips(data)
        report("lists: a bad edit is logged with FILE:LINE and the previous list kept",
               said and got and ips == ["198.51.100.10", "198.51.100.9", "203.0.113.7"], repr(ips))
        sock.close()
        rc = stop_daemon(proc, timeout=30)
        proc = None
        err.close()
        report("lists: the daemon stops cleanly", rc == 0, "rc %s" % rc)

        evs = events_of(data)

        def fields_of(pred):
            for e in evs:
                fl = e.get("fields", {})
                if pred(fl):
                    return fl
            return None

        r = subprocess.run([VIGIL, "search", "src_ip_list:scanners", "-d", data, "--format",
                            "jsonl", "--limit", "100"], capture_output=True, text=True, timeout=60)
        found = sorted(json.loads(l)["fields"]["src_ip"] for l in r.stdout.splitlines() if l.strip())
        report("lists: a search on src_ip_list finds the listed sources",
               found == ["198.51.100.10", "198.51.100.9", "203.0.113.7"], repr(found))
        dom = [e for e in alerts_of(data) if e["title"] == "Lookup of a threat-intelligence domain"]
        report("lists: a subdomain of a listed domain is marked (domain_list) and alerts once",
               len(dom) == 1 and dom[0].get("count") == 1, repr(dom)[:300])
        g = fields_of(lambda fl: fl.get("src_ip") == "8.8.8.8")
        p = fields_of(lambda fl: fl.get("src_ip") == "10.1.2.3" and "dns.rrname" not in fl)
        report("geo: a public source address gains its country, a private one none",
               g is not None and g.get("src_geo_country") == "US" and p is not None
               and "src_geo_country" not in p, "%r / %r" % (g, p))

        rc, msg = start_fails(tmp, "data_dir: %s\nweb: {listen: 127.0.0.1:0}\nlists:\n  - {name: s, file: %s, type: address}\n"
                              % (os.path.join(tmp, "d2"), scanners))
        report("lists: a bad list file is refused at start with FILE:LINE",
               rc != 0 and "scanners.txt:2: 'not-an-address'" in msg, "%s %s" % (rc, msg[-300:]))
        rc, msg = start_fails(tmp, "data_dir: %s\nweb: {listen: 127.0.0.1:0}\ngeo: {mmdb: %s/GeoLite2-City.mmdb}\n"
                              % (os.path.join(tmp, "d3"), tmp))
        report("geo: a missing MaxMind DB is refused at start with its path",
               rc != 0 and "geo.mmdb: %s/GeoLite2-City.mmdb: No such file" % tmp in msg,
               "%s %s" % (rc, msg[-300:]))
    finally:
        if proc is not None:
            stop_daemon(proc, timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
