#!/usr/bin/env python3
"""test_hunt_evtx.py — `vigil hunt` over Windows .evtx files, built at test time by
tests/tools/make_evtx.py (no real .evtx is available): real SigmaHQ rules match Sysmon 1
and Security 4688 (through the 4688 alias) and a System 104 (UserData), near-misses and
other logsources do not; the jsonl event carries the fields, the routes, the record's
time and the file; the table format; a corrupt record is named and skipped while the
rest is read; a file cut inside a chunk says where it breaks off and keeps what came
before; a file that is not EVTX is refused clearly; an EVTX file without the .evtx name
is still read as one; the summary counts the EVTX records read and corrupt.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from harness import SHARED, TOP, VIGIL, report, status

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(TOP, "tests", "tools"))
import make_evtx  # noqa: E402

RULES = os.path.join(SHARED, "sigma-rules", "rules", "windows")
RULE_FILES = {
    "97a80ec7": "process_creation/proc_creation_win_whoami_priv_discovery.yml",
    "c248c896": "process_creation/proc_creation_win_whoami_all_execution.yml",
    "100ef69e": "builtin/system/microsoft_windows_eventlog/win_system_susp_eventlog_cleared.yml",
    "a62b37e0": "builtin/system/microsoft_windows_eventlog/win_system_eventlog_cleared.yml",
}
SYSMON = "Microsoft-Windows-Sysmon/Operational"
WHOAMI = "C:\\Windows\\System32\\whoami.exe"


def sysmon(eid, cmd, image=WHOAMI, channel=SYSMON):
    return {"channel": channel, "event_id": eid, "time": "2024-11-25T10:00:00.25Z",
            "computer": "ws01.corp.local",
            "data": {"UtcTime": "2024-11-25 10:00:00.250", "Image": image,
                     "CommandLine": cmd, "ParentImage": "C:\\Windows\\explorer.exe"}}


def sec4688(cmd, image=WHOAMI):
    return {"channel": "Security", "event_id": 4688, "computer": "dc01",
            "provider": "Microsoft-Windows-Security-Auditing", "user_id": "S-1-5-18",
            "data": {"SubjectUserName": "alice", "NewProcessName": image,
                     "CommandLine": cmd, "ParentProcessName": "C:\\Windows\\System32\\cmd.exe"}}


def cleared(provider="Microsoft-Windows-Eventlog"):
    return {"channel": "System", "event_id": 104, "provider": provider,
            "user_data": {"LogFileCleared": {"SubjectUserName": "bob",
                                             "SubjectDomainName": "CORP",
                                             "Channel": "Security"}}}


# (event, rule ids it must match, by EventRecordID = position from 1)
EVENTS = [
    (sysmon(1, "whoami /priv"), ["97a80ec7"]),
    (sec4688("whoami.exe -all"), ["c248c896"]),
    (cleared(), ["100ef69e"]),
    # near-misses: another flag, another event id, another channel, another provider,
    # a 4688 of another program
    (sysmon(1, "whoami /groups"), []),
    (sysmon(3, "whoami /priv"), []),
    (sysmon(1, "whoami /priv", channel="Application"), []),
    (cleared(provider="Microsoft-Windows-Other"), []),
    (sec4688("net.exe -all", image="C:\\Windows\\System32\\net.exe"), []),
]


def hunt(args):
    p = subprocess.run([VIGIL, "hunt", "--no-builtin", *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def matches_of(out):
    got = []
    for line in out.splitlines():
        if line.strip():
            m = json.loads(line)
            got.append((m["rule"]["id"][:8], int(m["event"]["fields"]["EventRecordID"]), m))
    return got


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        rules = os.path.join(tmp, "rules")
        os.makedirs(rules)
        for rel in RULE_FILES.values():
            shutil.copy(os.path.join(RULES, rel), rules)
        evtx = os.path.join(tmp, "Security and Sysmon.evtx")
        write(evtx, make_evtx.build([e for e, _ in EVENTS]))

        rc, out, err = hunt(["--rules", rules, evtx])
        report("evtx: hunt exits 0", rc == 0, "status %d: %s" % (rc, err))
        got = matches_of(out)
        want = sorted((r, i + 1) for i, (_, rs) in enumerate(EVENTS) for r in rs)
        report("evtx: real SigmaHQ rules match Sysmon 1, Security 4688 and System 104, "
               "no near-miss", sorted(g[:2] for g in got) == want,
               "%s != %s" % (sorted(g[:2] for g in got), want))
        m = next((g[2] for g in got if g[0] == "c248c896"), None)
        ev = m and m["event"]
        report("evtx: a 4688 match carries its fields, routes, time and file",
               ev is not None and ev["decoder"] == "windows" and
               ev["fields"].get("NewProcessName") == WHOAMI and
               ev["fields"].get("Channel") == "Security" and
               ev["fields"].get("Computer") == "dc01" and
               "windows/process_creation" in ev["routes"] and
               "windows/security" in ev["routes"] and
               ev["time"].startswith("2024-11-25T10:00:00") and ev["input"] == evtx and
               json.loads(ev["raw"])["Event"]["System"]["EventID"] == "4688", "%s" % ev)
        m = next((g[2] for g in got if g[0] == "100ef69e"), None)
        report("evtx: UserData leaves are fields (System 104)",
               m is not None and m["event"]["fields"].get("SubjectUserName") == "bob" and
               "windows/system" in m["event"]["routes"], "%s" % m)
        report("evtx: the summary counts events and evtx records",
               "8 events, 3 matches (critical 0, high 2, medium 1" in err and
               "evtx files 1: records read 8, corrupt 0" in err, err)

        rc, out, err = hunt(["--rules", rules, "--format", "table", evtx])
        lines = out.splitlines()
        report("evtx: table format, one line per match", rc == 0 and len(lines) == 3 and
               any("Whoami.EXE" in l and "dc01" in l for l in lines), out)

        # a corrupt record: named, skipped, the rest read
        bad = os.path.join(tmp, "corrupt.evtx")
        write(bad, make_evtx.build([e for e, _ in EVENTS], corrupt_record=1))
        rc, out, err = hunt(["--rules", rules, bad])
        got = sorted(g[:2] for g in matches_of(out))
        report("evtx: a corrupt record is named and skipped, the others still read",
               rc == 1 and "corrupt.evtx: record 1 skipped" in err and
               got == [("100ef69e", 3), ("c248c896", 2)] and
               "records read 7, corrupt 1" in err, "status %d %s %s" % (rc, got, err))

        # cut inside the second chunk: the first chunk's records are read
        many = [sysmon(1, "whoami /priv")] + \
            [sysmon(1, "p%d %s" % (i, "x" * 400), image="C:\\p%d.exe" % i) for i in range(200)] + \
            [sysmon(1, "whoami /priv")]
        cut = os.path.join(tmp, "cut.evtx")
        write(cut, make_evtx.build(many)[:100000])
        rc, out, err = hunt(["--rules", rules, cut])
        got = sorted(g[:2] for g in matches_of(out))
        report("evtx: a file cut short says where it breaks off and keeps what came before",
               rc == 1 and got == [("97a80ec7", 1)] and "cut.evtx: damaged after record" in err
               and "up to EventRecordID 202" in err, "status %d %s %s" % (rc, got, err))

        # not EVTX at all; the next file is still read
        text = os.path.join(tmp, "text.evtx")
        with open(text, "w") as f:
            f.write("Sep  5 02:00:00 web01 sshd[1]: Failed password for root\n")
        rc, out, err = hunt(["--rules", rules, text, evtx])
        report("evtx: a file that is not EVTX is refused clearly, the next one read",
               rc == 1 and "text.evtx: not an EVTX file" in err and
               len(matches_of(out)) == 3, "status %d %s" % (rc, err))

        # EVTX content under another name is read as EVTX, not as text lines
        renamed = os.path.join(tmp, "exported.log")
        shutil.copy(evtx, renamed)
        rc, out, err = hunt(["--rules", rules, renamed])
        report("evtx: an EVTX file is known by its signature too",
               rc == 0 and len(matches_of(out)) == 3, "status %d %s" % (rc, err))
    return status()


if __name__ == "__main__":
    sys.exit(main())
