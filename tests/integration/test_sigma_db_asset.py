#!/usr/bin/env python3
"""test_sigma_db_asset.py — a real SigmaHQ rule of the database category
(../shared/sigma-rules, db_anomalous_query.yml) through `vigil hunt`: it fires on MySQL
general log queries, PostgreSQL STATEMENT lines and Oracle SYS audit statements (the
database route), and not on the same words in events of other routes (a web access
line, a plain syslog line, a DHCP lease of a host named "dump-1").
"""
import sys

from harness import hunt_cases, status


CASES = [
    ("category/database/db_anomalous_query.yml", "d84c0ded-edd7-4123-80ed-348bb3ccc4d5",
     ["2024-11-25T10:00:06.000000Z\t   16 Query\tSELECT * FROM users",
      "2024-11-25 10:00:04.000 UTC [1235] app@shop STATEMENT:  DROP TABLE orders",
      "Nov 25 10:00:06 db2 oracle[4243]: LENGTH : '100' ACTION :[14] 'TRUNCATE TABLE' "
      "DATABASE USER:[3] 'SYS' STATUS:[1] '0'"],
     ['10.0.0.5 - - [25/Nov/2024:10:00:00 +0000] "GET /q?select%20*&drop=1 HTTP/1.1" '
      '200 5 "-" "curl"',
      "Nov 25 10:00:00 h1 myapp[1]: drop table requested",
      "Nov 25 10:00:03 gw1 dhcpd[501]: DHCPACK on 10.0.0.50 to 00:11:22:33:44:55 "
      "(dump-1) via eth0"]),
]


def main():
    hunt_cases(CASES)
    return status()


if __name__ == "__main__":
    sys.exit(main())
