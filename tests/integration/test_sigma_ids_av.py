#!/usr/bin/env python3
"""test_sigma_ids_av.py — real SigmaHQ rules (../shared/sigma-rules) of the antivirus and
dns categories through `vigil hunt` on ClamAV lines and Suricata EVE records: the
antivirus rules read Signature from ClamAV detections, the dns rules read query,
record_type and answer through the dns route of EVE dns records (aliases of dns.rrname
and dns.rrtype, and the answer field). The same words in events of other routes (an EVE
http record, a Snort alert, a freshclam warning) must not match.
"""
import json
import sys

from harness import hunt_cases, status



def eve(event_type, **kw):
    d = {"timestamp": "2024-11-25T10:00:00.000000+0000", "flow_id": 1, "in_iface": "eth0",
         "event_type": event_type, "src_ip": "10.0.0.3", "src_port": 53000,
         "dest_ip": "10.0.0.53", "dest_port": 53, "proto": "UDP"}
    d.update(kw)
    return json.dumps(d, separators=(",", ":"))


def clamd(msg):
    return "Nov 25 10:00:00 av1 clamd[812]: " + msg


# (rule file, rule id, lines that must match, lines that must not)
CASES = [
    ("category/antivirus/av_hacktool.yml", "fa0c05b6-8ad3-468d-8231-c1cbccb64fba",
     [clamd("/home/bob/tools/mimi.zip: Win.Tool.Mimikatz-9871423-0 FOUND"),
      "/tmp/x.exe: Win.Trojan.Mimikatz-6466236-0 FOUND",
      "Mon Nov 25 10:00:05 2024 -> /srv/a b/sh.exe: Win.Hacktool.Sharphound-1 FOUND"],
     [clamd("/home/bob/eicar.com: Win.Test.EICAR_HDB-1 FOUND"),
      "Nov 25 10:00:00 av1 freshclam[9]: WARNING: Mimikatz signature stale",
      "11/25-10:00:00.000000  [**] [1:1:1] Mimikatz transfer [**] [Priority: 1] "
      "{TCP} 1.2.3.4:1 -> 5.6.7.8:2"]),
    ("network/dns/net_dns_susp_telegram_api.yml", "c64c5175-5189-431b-a55e-6d9882158251",
     [eve("dns", dns={"version": 2, "type": "query", "id": 1, "rrname": "api.telegram.org",
                      "rrtype": "A", "tx_id": 0}),
      eve("dns", dns={"version": 3, "type": "request", "id": 2,
                      "queries": [{"rrname": "api.telegram.org", "rrtype": "AAAA"}]})],
     [eve("http", http={"hostname": "api.telegram.org", "url": "/"}),
      eve("dns", dns={"version": 2, "type": "query", "id": 3, "rrname": "telegram.org",
                      "rrtype": "A"})]),
    ("network/dns/net_dns_susp_txt_exec_strings.yml", "8ae51330-899c-4641-8125-e39f2e07da72",
     [eve("dns", dns={"version": 2, "type": "answer", "id": 4, "rrname": "c2.example.net",
                      "rrtype": "TXT", "rcode": "NOERROR",
                      "answers": [{"rrname": "c2.example.net", "rrtype": "TXT", "ttl": 5,
                                   "rdata": "IEX (New-Object Net.WebClient).DownloadString('x')"}]})],
     [eve("dns", dns={"version": 2, "type": "answer", "id": 5, "rrname": "c2.example.net",
                      "rrtype": "A", "rcode": "NOERROR",
                      "answers": [{"rrname": "c2.example.net", "rrtype": "A", "ttl": 5,
                                   "rdata": "IEX"}]}),
      eve("alert", alert={"signature": "IEX in TXT", "signature_id": 1}, dns={
          "rrtype": "TXT", "answers": [{"rdata": "IEX x"}]})]),
]


def main():
    hunt_cases(CASES)
    return status()


if __name__ == "__main__":
    sys.exit(main())
