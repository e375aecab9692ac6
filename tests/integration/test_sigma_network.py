#!/usr/bin/env python3
"""test_sigma_network.py — real SigmaHQ rules (../shared/sigma-rules) of the network
devices through `vigil hunt`: the cisco/aaa keyword rules on ASA command accounting
(111008, 111010) and IOS CFGLOG lines (routes cisco and cisco/aaa), and the firewall
category's cleartext-protocol rule on ASA connections (dst_port, blocked "false"). The
same words in events of other routes (an sshd line, an ASA connection line), and a
denied connection, must not match. FortiGate traffic logs (action accept) take the
firewall rule too, and FortiGate event logs (route fortigate/event) the fortigate rules.
"""
import sys

from harness import hunt_cases, status



def asa(tag, msg):
    return "<166>Nov 25 2024 10:00:00: %" + tag + ": " + msg


def ios(tag, msg):
    return "<189>12: Nov 25 10:00:00 UTC: %" + tag + ": " + msg


# (rule file, rule id, lines that must match, lines that must not)
FG = ('<190>date=2024-11-25 time=10:00:03 devname="FG100E" devid="FG100E3G16000001" '
      'logid="0100044547" type="event" subtype="system" level="information" vd="root" '
      'eventtime=1732528803 logdesc="Object attribute configured" user="admin" '
      'ui="GUI(10.0.0.5)" action="%s" cfgtid=1234 cfgpath="%s" cfgobj="backdoor" '
      'msg="%s user.local backdoor"')

CASES = [
    ("network/fortinet/fortigate/fortinet_fortigate_new_local_user_created.yml",
     "ddbbe845-1d74-43a8-8231-2156d180234d",
     [FG % ("Add", "user.local", "Add")],
     [FG % ("Delete", "user.local", "Delete"), FG % ("Add", "firewall.policy", "Add"),
      # the same words on a Linux line: not a FortiGate event
      "Nov 25 10:00:00 h app: action=Add cfgpath=user.local"]),
    ("network/cisco/aaa/cisco_cli_local_accounts.yml", "6d844f0f-1c18-41af-8f19-33e7654edfc3",
     [asa("ASA-5-111008", "User 'admin' executed the 'username backdoor password x "
          "privilege 15' command."),
      ios("PARSER-5-CFGLOG_LOGGEDCMD", "User:admin  logged command:username test secret x")],
     ["Nov 25 10:00:00 host1 sshd[1]: Invalid user username from 203.0.113.5 port 22",
      asa("ASA-6-302013", "Built inbound TCP connection 1 for outside:203.0.113.5/5 "
          "(203.0.113.5/5) to aaa:10.0.0.2/22 (10.0.0.2/22)")]),
    ("network/cisco/aaa/cisco_cli_disable_logging.yml", "9e8f6035-88bf-4a63-96b6-b17c0508257e",
     [asa("ASA-5-111010", "User 'admin', running 'CLI' from IP address 10.0.0.5, executed "
          "'no logging enable'"),
      ios("PARSER-5-CFGLOG_LOGGEDCMD", "User:admin  logged command:no logging host 10.0.0.50")],
     [ios("LINK-3-UPDOWN", "Interface no logging0, changed state to down")]),
    ("network/firewall/net_firewall_cleartext_protocols.yml",
     "d7fb8f0e-bd5f-45c2-b467-19571c490d7e",
     [asa("ASA-6-302013", "Built inbound TCP connection 7 for outside:203.0.113.5/51234 "
          "(203.0.113.5/51234) to inside:10.0.0.2/23 (10.0.0.2/23)"),
      ios("SEC-6-IPACCESSLOGP", "list 101 permitted tcp 203.0.113.5(51234) -> "
          "10.0.0.2(21), 1 packet"),
      "<189>date=2024-11-25 time=10:00:00 devname=\"FG100E\" logid=\"0000000013\" "
      "type=\"traffic\" srcip=10.0.0.7 srcport=50000 dstip=198.51.100.20 dstport=23 "
      "proto=6 action=\"accept\" service=\"TELNET\""],
     [asa("ASA-4-106023", "Deny tcp src outside:203.0.113.5/51234 dst inside:10.0.0.2/23 "
          "by access-group \"outside_in\" [0x0, 0x0]"),
      asa("ASA-6-302013", "Built inbound TCP connection 8 for outside:203.0.113.5/51234 "
          "(203.0.113.5/51234) to inside:10.0.0.2/22 (10.0.0.2/22)"),
      "<189>date=2024-11-25 time=10:00:00 devname=\"FG100E\" logid=\"0000000013\" "
      "type=\"traffic\" srcip=10.0.0.7 srcport=50000 dstip=198.51.100.20 dstport=23 "
      "proto=6 action=\"deny\" service=\"TELNET\""]),
]


def main():
    hunt_cases(CASES)
    return status()


if __name__ == "__main__":
    sys.exit(main())
