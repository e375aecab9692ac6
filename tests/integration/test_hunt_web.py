#!/usr/bin/env python3
"""test_hunt_web.py — public SigmaHQ rules (../shared/sigma-rules) through `vigil hunt` on
the web and proxy decoders of issue 4 part 2: a Squid native access.log line fires a
proxy rule (category proxy, field c-uri), an IIS W3C row a webserver rule (the columns
of its #Fields line), an nginx error line a webserver rule on cs-uri-query; near-misses
and the same words in another logsource's events must not match.
"""
import sys

from harness import hunt_cases, report, status


SQUID_HIT = ("1732528804.250    123 10.0.0.10 TCP_MISS/200 2048 GET "
             "http://www.pastebin.com/raw/abc123 bob HIER_DIRECT/104.20.1.1 text/plain")
SQUID_MISS = ("1732528804.250    123 10.0.0.10 TCP_MISS/200 2048 GET "
              "http://www.example.com/raw/abc123 bob HIER_DIRECT/104.20.1.1 text/plain")
# the same URL in a web server's access log: not a proxy event
ACCESS_SAME = ('198.51.100.20 - - [05/Sep/2024:02:00:00 +0000] '
               '"GET /r?u=http://www.pastebin.com/raw/abc123 HTTP/1.1" 200 10 "-" "curl/8"')

IIS_FIELDS = ("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
              "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
              "time-taken")
IIS_HIT = ("2024-11-25 10:00:00 10.0.0.1 GET /download.aspx file=../../../etc/passwd 443 - "
           "203.0.113.5 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15")
IIS_MISS = ("2024-11-25 10:00:01 10.0.0.1 GET /download.aspx file=report.pdf 443 - "
            "203.0.113.5 Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15")
NGINX_HIT = ('2024/11/25 10:00:00 [error] 7#7: *3 open() "/srv/etc/passwd" failed (2: No such '
             'file or directory), client: 203.0.113.9, server: example.com, request: '
             '"GET /dl?f=../../../etc/passwd HTTP/1.1", host: "example.com"')
SSH_SAME = "Sep  5 02:00:00 bastion sshd[4242]: Invalid user ../../../etc/ from 203.0.113.5"

# (rule file, rule id, lines of one file (in order), lines that must match)
CASES = [
    ("web/proxy_generic/proxy_raw_paste_service_access.yml",
     "5468045b-4fcc-4d1a-973c-c9c9578edacb",
     [SQUID_HIT, SQUID_MISS, ACCESS_SAME], [SQUID_HIT]),
    ("web/webserver_generic/web_path_traversal_exploitation_attempt.yml",
     "7745c2ea-24a5-4290-b680-04359cb84b35",
     [IIS_FIELDS, IIS_HIT, IIS_MISS, NGINX_HIT, SSH_SAME], [IIS_HIT, NGINX_HIT]),
]


def main():
    hunt_cases([(rule, rid, hits, [l for l in lines if l not in hits])
                for rule, rid, lines, hits in CASES])
    return status()


if __name__ == "__main__":
    sys.exit(main())
