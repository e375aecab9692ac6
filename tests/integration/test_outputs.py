#!/usr/bin/env python3
"""test_outputs.py — alert outputs of `vigil serve` (src/output): the real daemon with
Vigil's own rules (rules/) raises "SSH brute force" from 8 sshd failures sent over TCP,
and hands the alert to receivers this test runs on 127.0.0.1:

- a webhook (http.server capturing POSTs): the alert as JSON, the configured header,
  the same id, rule, count and entities as `vigil alerts --format jsonl`; with
  `on_update: true` the update of the merged alert (8 more failures) arrives too, held
  back within its minute and released at stop;
- a webhook that answers 500 twice, then 200: three attempts, about 1 s and 5 s apart,
  the alert counted sent with 2 retries;
- a webhook nobody listens on: counted failed after its retries;
- a webhook with min_level critical: receives nothing (the alert is high);
- syslog over UDP (RFC 5424) and TCP (RFC 3164, octet counting): the CEF record;
- e-mail over SMTP (a minimal SMTP responder): envelope, subject and body.
The daemon's `stats rules:` line carries the counters of every output.
"""
import datetime
import http.server
import json
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import TOP, VIGIL, report, status, stop_daemon, wait_ready  # noqa: E402

T0 = datetime.datetime(2026, 11, 25, 10, 0, 0)
BRUTE_ID = "5f0c8e5e-3f0a-4c3b-9d0a-6b1f2a7c0102"


def brute(start, ip):
    return ["<38>%s srv1 sshd[%d]: Failed password for root from %s port %d ssh2"
            % ((T0 + datetime.timedelta(seconds=start + i * 5)).strftime("%b %d %H:%M:%S"), 100 + i, ip,
               40000 + i) for i in range(8)]


# ---- receivers -------------------------------------------------------------------------

class Hook(http.server.ThreadingHTTPServer):
    """Captures POSTs; answers with the statuses of `plan` in turn, then 200."""

    def __init__(self, plan=()):
        self.posts, self.plan, self.lock = [], list(plan), threading.Lock()
        super().__init__(("127.0.0.1", 0), HookHandler)


class HookHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            code = self.server.plan.pop(0) if self.server.plan else 200
            self.server.posts.append({"t": time.monotonic(), "path": self.path, "code": code,
                                      "headers": dict(self.headers), "body": body})
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class SmtpHandler(socketserver.StreamRequestHandler):
    """A minimal SMTP responder (RFC 5321): enough for one client to deliver messages."""

    def reply(self, s):
        self.wfile.write(s.encode() + b"\r\n")

    def handle(self):
        self.reply("220 test ESMTP")
        mail = {"from": None, "to": [], "data": b""}
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.decode("latin-1").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-test")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 test")
            elif verb == "MAIL":
                mail = {"from": cmd[10:].strip(), "to": [], "data": b""}
                self.reply("250 ok")
            elif verb == "RCPT":
                mail["to"].append(cmd[8:].strip())
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while True:
                    l = self.rfile.readline(65536)
                    if not l or l == b".\r\n":
                        break
                    data += l[1:] if l.startswith(b"..") else l
                mail["data"] = data
                self.server.mails.append(mail)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


class Smtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.mails = []
        super().__init__(("127.0.0.1", 0), SmtpHandler)


class SyslogTcp(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self):
        self.data = b""
        super().__init__(("127.0.0.1", 0), SyslogTcpHandler)


class SyslogTcpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            d = self.request.recv(65536)
            if not d:
                return
            self.server.data += d


def serve_forever(server):
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


def port(server):
    return server.server_address[1]


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def octet_frames(data):
    """Splits RFC 6587 octet-counted frames."""
    out = []
    while data:
        m = re.match(rb"(\d+) ", data)
        if not m:
            return out + [b"BAD:" + data]
        n = int(m.group(1))
        out.append(data[m.end():m.end() + n])
        data = data[m.end() + n:]
    return out


def wait_for(cond, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def cef_ext(rec):
    """The extension of a CEF record as a dict (values unescaped)."""
    head = re.split(r"(?<!\\)\|", rec, maxsplit=7)
    ext = head[7] if len(head) > 7 else ""
    out = {}
    for m in re.finditer(r"(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)", ext):
        out[m.group(1)] = re.sub(r"\\(.)", r"\1", m.group(2))
    return head[:7], out


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-out-")
    hook, flaky, crit, smtp, stcp = Hook(), Hook([500, 500]), Hook(), Smtp(), SyslogTcp()
    for s in (hook, flaky, crit, smtp, stcp):
        serve_forever(s)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    datagrams = []

    def read_udp():
        while not stop_udp.is_set():
            try:
                datagrams.append(udp.recv(65536))
            except socket.timeout:
                pass
    stop_udp = threading.Event()
    threading.Thread(target=read_udp, daemon=True).start()
    proc = None
    try:
        data = os.path.join(tmp, "data")
        conf = os.path.join(tmp, "vigil.yaml")
        # the webhook's token is kept sealed in the configuration (vigil secret seal)
        os.makedirs(data, 0o700)
        sealed = subprocess.run([VIGIL, "secret", "seal", "-d", data], input=b"Bearer x\n",
                                capture_output=True, timeout=30).stdout.decode().strip()
        report("the webhook token is sealed for the configuration",
               sealed.startswith("v1:") and "Bearer" not in sealed, sealed)
        with open(conf, "w") as f:
            f.write("""data_dir: %s
web: {listen: 127.0.0.1:0}
stats_interval: 1
rules:
  paths: [%s]
health:
  max_clock_skew: 0   # the lines are dated 2026-11-25 and sent now: not a clock fault
inputs:
  - {type: syslog_tcp, name: t, listen: 127.0.0.1:0}
outputs:
  - type: webhook
    url: http://127.0.0.1:%d/hook
    min_level: medium
    on_update: true
    headers: {Authorization: "%s"}
  - type: webhook
    name: flaky
    url: http://127.0.0.1:%d/flaky
  - type: webhook
    name: dead
    url: http://127.0.0.1:%d/
    retry: [100ms, 100ms]
    timeout: 2s
  - type: webhook
    name: critical_only
    url: http://127.0.0.1:%d/crit
    min_level: critical
  - type: syslog
    address: 127.0.0.1:%d
    protocol: udp
  - type: syslog
    name: syslog_tcp
    address: 127.0.0.1:%d
    protocol: tcp
    header: rfc3164
    framing: octet-counting
    facility: local4
  - type: email
    url: smtp://127.0.0.1:%d
    from: vigil@example.com
    to: [soc@example.com, oncall@example.com]
    min_level: high
""" % (data, os.path.join(TOP, "rules"), port(hook), sealed, port(flaky), closed_port(), port(crit),
                udp.getsockname()[1], port(stcp), port(smtp)))
        log = os.path.join(tmp, "log")
        err = open(log, "w")
        proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        addrs = wait_ready(proc, os.path.join(data, "serve.json"), timeout=20)
        report("outputs: the daemon starts with seven outputs", addrs is not None, open(log).read())
        if addrs is None:
            return status()
        host, p = addrs["t"].rsplit(":", 1)
        conn = socket.create_connection((host, int(p)), timeout=10)
        conn.sendall(b"".join(l.encode() + b"\n" for l in brute(0, "203.0.113.9")))
        got = wait_for(lambda: hook.posts and datagrams and smtp.mails and octet_frames(stcp.data), 60)
        report("outputs: webhook, syslog udp and tcp, e-mail each receive the alert while running", got,
               "webhook %d, udp %d, smtp %d, tcp %r" % (len(hook.posts), len(datagrams), len(smtp.mails),
                                                       stcp.data[:200]))
        # the update: 8 more failures from the same address, in the merge window
        conn.sendall(b"".join(l.encode() + b"\n" for l in brute(60, "203.0.113.9")))
        conn.close()
        wait_for(lambda: len(flaky.posts) >= 3, 20)
        time.sleep(2)  # the stats line of a second with everything sent
        rc = stop_daemon(proc, timeout=60)
        err.close()
        logtext = open(log).read()
        report("outputs: the daemon stops cleanly", rc == 0, "exit %r\n%s" % (rc, logtext[-3000:]))
        r = subprocess.run([VIGIL, "alerts", "-d", data, "--format", "jsonl"], capture_output=True, text=True,
                           timeout=30)
        stored = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        brutes = [a for a in stored if a["rule_id"] == BRUTE_ID]
        report("outputs: one brute force alert stored, merged (count 2)",
               len(brutes) == 1 and brutes[0]["count"] == 2, repr(stored))
        if len(brutes) != 1:
            return status()
        al = brutes[0]

        # webhook: new, then the held update released at stop
        bodies = [json.loads(p["body"]) for p in hook.posts]
        first = bodies[0] if bodies else {}
        report("webhook: the new alert as JSON, as `vigil alerts` has it",
               first.get("event") == "new" and first.get("id") == al["id"] and first.get("rule_id") == BRUTE_ID
               and first.get("title") == "SSH brute force" and first.get("level") == "high"
               and first.get("count") == 1 and first.get("src_ip") == "203.0.113.9"
               and first.get("first_seen") == al["first_seen"] and first.get("risk") == al["risk"]
               and "attack.t1110.001" in first.get("tags", []) and first.get("user") is None,
               "%r\nstored %r" % (first, al))
        h = hook.posts[0]["headers"] if hook.posts else {}
        report("webhook: POST to its path with the configured header and a JSON type",
               hook.posts and hook.posts[0]["path"] == "/hook" and h.get("Authorization") == "Bearer x"
               and h.get("Content-Type") == "application/json", repr(h))
        report("webhook: on_update sends the merged alert's update once (held in its minute, sent at stop)",
               len(bodies) == 2 and bodies[1].get("event") == "update" and bodies[1].get("id") == al["id"]
               and bodies[1].get("count") == 2 and bodies[1].get("last_seen") == al["last_seen"],
               repr(bodies))
        report("webhook: min_level critical receives nothing of a high alert", crit.posts == [],
               repr(crit.posts))

        # retries: 500, 500, 200
        fp = flaky.posts
        gaps = [round(fp[i + 1]["t"] - fp[i]["t"], 1) for i in range(len(fp) - 1)]
        report("webhook: HTTP 500 twice then 200: three attempts about 1 s and 5 s apart, no update sent",
               [p["code"] for p in fp] == [500, 500, 200] and len(gaps) == 2 and 0.9 <= gaps[0] < 3
               and 4.9 <= gaps[1] < 8 and all(json.loads(p["body"])["id"] == al["id"] for p in fp),
               "codes %r gaps %r" % ([p["code"] for p in fp], gaps))
        report("webhook: the retries logged and counted",
               "output flaky: sent 1 failed 0 dropped 0 retries 2" in logtext
               and re.search(r"output flaky: alert %s: attempt 1 failed \(HTTP status 500\)" % al["id"], logtext),
               logtext[-3000:])
        report("webhook: a receiver nobody runs: counted failed after 3 attempts, logged",
               "output dead: sent 0 failed 1 dropped 0 retries 2" in logtext
               and "output dead: alert %s not sent after 3 attempt(s)" % al["id"] in logtext, logtext[-3000:])

        # syslog UDP, RFC 5424 + CEF
        d = datagrams[0].decode() if datagrams else ""
        m = re.match(r"<(\d+)>1 (\S+) (\S+) vigil (\d+) alert - (CEF:.*)$", d)
        report("syslog udp: one RFC 5424 message per alert (the update not sent: no on_update)",
               m is not None and m.group(1) == str(16 * 8 + 3) and m.group(4) == str(proc.pid)
               and len(datagrams) == 1, repr(datagrams))
        if m:
            head, ext = cef_ext(m.group(5))
            report("syslog udp: the CEF header (vendor, product, rule id, title, severity 8)",
                   head == ["CEF:0", "Vigil", "Vigil", "0.1", BRUTE_ID, "SSH brute force", "8"], repr(head))
            report("syslog udp: the CEF extension (src, cnt, risk, id, times)",
                   ext.get("src") == "203.0.113.9" and ext.get("cnt") == "1" and ext.get("cs1Label") == "risk"
                   and float(ext.get("cs1", "-1")) == al["risk"] and ext.get("externalId") == al["id"]
                   and ext.get("act") == "new" and ext.get("cat") == "high"
                   and int(ext.get("start", 0)) == int(datetime.datetime.strptime(
                       al["first_seen"][:19], "%Y-%m-%dT%H:%M:%S").replace(
                           tzinfo=datetime.timezone.utc).timestamp()) * 1000
                   and "suser" not in ext, repr(ext))
        # syslog TCP, RFC 3164, octet counting, facility local4
        frames = octet_frames(stcp.data)
        t = frames[0].decode() if frames else ""
        report("syslog tcp: RFC 6587 octet-counted RFC 3164 message with the CEF record",
               len(frames) == 1 and re.match(r"<%d>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ vigil\[%d\]: "
                                             r"CEF:0\|Vigil\|Vigil\|0\.1\|%s\|SSH brute force\|8\|rt=\d+ "
                                             % (20 * 8 + 3, proc.pid, BRUTE_ID), t)
               and "src=203.0.113.9" in t, repr(frames))

        # e-mail
        mail = smtp.mails[0] if smtp.mails else {"from": "", "to": [], "data": b""}
        text = mail["data"].decode("utf-8", "replace")
        hdr, _, body = text.partition("\r\n\r\n")
        report("email: envelope from and both recipients",
               mail["from"] == "<vigil@example.com>" and mail["to"] == ["<soc@example.com>", "<oncall@example.com>"]
               and len(smtp.mails) == 1, repr(mail))
        report("email: headers (subject with level, title and source; date; message id; utf-8)",
               "Subject: [Vigil] high: SSH brute force (203.0.113.9)\r\n" in hdr + "\r\n"
               and "From: Vigil <vigil@example.com>" in hdr and re.search(r"^Date: \w{3}, \d\d \w{3} \d{4} ", hdr, re.M)
               and "Message-ID: <%s." % al["id"] in hdr and "charset=utf-8" in hdr, hdr)
        report("email: body with rule, risk, count, source and alert id",
               re.search(r"title:\s+SSH brute force\r\n", body) and re.search(r"rule:\s+%s\r\n" % BRUTE_ID, body)
               and re.search(r"count:\s+1\r\n", body) and re.search(r"source:\s+203\.0\.113\.9\r\n", body)
               and re.search(r"risk:\s+%.1f\r\n" % al["risk"], body) and al["id"] in body
               and all(len(l) <= 998 for l in text.split("\r\n")), body)

        # counters in the stats line while running
        stats = [l for l in logtext.splitlines() if "stats rules:" in l]
        last = stats[-1] if stats else ""
        report("stats rules: carries sent, failed, dropped and retries per output",
               "output_webhook_sent 1 output_webhook_failed 0 output_webhook_dropped 0" in last
               and "output_flaky_sent 1 output_flaky_failed 0 output_flaky_dropped 0 output_flaky_retries 2" in last
               and "output_syslog_sent 1" in last and "output_email_sent 1" in last
               and "output_dead_failed 1" in last and "output_critical_only_sent 0" in last, last)
    finally:
        if proc and proc.poll() is None:
            stop_daemon(proc)
        stop_udp.set()
        for s in (hook, flaky, crit, smtp, stcp):
            s.shutdown()
            s.server_close()
        udp.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return status()


if __name__ == "__main__":
    sys.exit(main())
