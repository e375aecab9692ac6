"""console.py — what the console's tests share: a daemon with its console on a free port,
an HTTPS client that keeps its session cookie and CSRF token like a browser does, and an
RFC 6238 TOTP of its own (written from the RFC, not from Vigil's code), so the server's
second factor is checked against an independent implementation."""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import socket
import ssl
import struct
import subprocess
import time

from harness import VIGIL, stop_daemon, wait_ready


def totp(secret_b32, at=None, step=30, digits=6):
    """The RFC 6238 code (HMAC-SHA1) of a base32 seed at time `at` (now)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 15
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return "%0*d" % (digits, code)


class Client:
    """One browser: a cookie jar of one cookie, the CSRF token from the last session
    answer, and the Set-Cookie header seen last."""

    def __init__(self, url, source=None):
        rest = url.split("://", 1)[1].rstrip("/")
        self.host, port = rest.rsplit(":", 1)
        self.port = int(port)
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE  # the console's self-signed certificate
        self.cookie = None
        self.csrf = None
        self.set_cookie = None
        self.headers = {}
        self.source = (source, 0) if source else None  # another 127.x address to come from

    def raw(self, method, path, body=None, headers=None):
        """Sends a request as given; returns (status, body bytes, headers dict)."""
        c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30,
                                        source_address=self.source)
        h = dict(headers or {})
        if self.cookie and "Cookie" not in h:
            h["Cookie"] = "vigil_session=" + self.cookie
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, data, hdrs

    def call(self, method, path, obj=None, csrf=True):
        """A JSON request (the CSRF header on state changes unless csrf=False); returns
        (status, decoded JSON or None)."""
        h = {"Content-Type": "application/json"}
        if csrf and method != "GET" and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        body = json.dumps(obj).encode() if obj is not None else None
        st, data, hdrs = self.raw(method, path, body, h)
        self.headers = hdrs
        sc = hdrs.get("set-cookie")
        if sc:
            self.set_cookie = sc
            val = sc.split(";", 1)[0].split("=", 1)[1]
            self.cookie = val or None
        try:
            j = json.loads(data) if data else None
        except ValueError:
            j = None
        if isinstance(j, dict) and "csrf" in j:
            self.csrf = j["csrf"]
        return st, j

    def login(self, user, password, code=None):
        body = {"user": user, "password": password}
        if code:
            body["totp"] = code
        return self.call("POST", "/api/v1/login", body)


def start_console(tmp, extra="", name="console", tcp=False):
    """Starts `vigil serve` with its console on a free port in tmp/name (extra: more of
    the `web:` section, then other top-level keys; tcp: a syslog_tcp input too); returns
    (proc, url, {account: one-time password}, data_dir), or None when it did not start."""
    data = os.path.join(tmp, name)
    conf = os.path.join(tmp, name + ".yaml")
    with open(conf, "w") as f:
        f.write("data_dir: %s\nlog_level: warn\nweb:\n  listen: 127.0.0.1:0\n%s"
                "inputs:\n  - type: syslog_udp\n    listen: 127.0.0.1:0\n" % (data, extra))
        if tcp:
            f.write("  - type: syslog_tcp\n    listen: 127.0.0.1:0\n")
    log = open(os.path.join(tmp, name + ".log"), "a")
    proc = subprocess.Popen([VIGIL, "serve", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=log)
    if wait_ready(proc, os.path.join(data, "serve.json"), timeout=30) is None:
        stop_daemon(proc)
        return None
    with open(os.path.join(data, "serve.json")) as f:
        url = json.load(f)["console"]
    first = {}
    path = os.path.join(data, "first-login.txt")  # only when the accounts were made now
    with open(path) if os.path.exists(path) else open(os.devnull) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("sysadmin", "secadmin", "auditor"):
                first[parts[0]] = parts[1]
    return proc, url, first, data


def ready_admin(url, name, one_time, new_password):
    """First login of an administrator: changes the one-time password, enrols TOTP with
    the code computed here; returns (client, seed) or (None, why)."""
    c = Client(url)
    st, j = c.login(name, one_time)
    if st != 200 or not j.get("must_change_password"):
        return None, "first login %s: %s %s" % (name, st, j)
    st, j = c.call("POST", "/api/v1/password", {"old": one_time, "new": new_password})
    if st != 200 or not j.get("must_enrol_totp"):
        return None, "password change %s: %s %s" % (name, st, j)
    st, j = c.call("POST", "/api/v1/totp/begin")
    if st != 200:
        return None, "totp begin %s: %s %s" % (name, st, j)
    seed = j["secret"]
    st, j = c.call("POST", "/api/v1/totp/confirm", {"code": totp(seed)})
    if st != 200 or j.get("must_enrol_totp") or not j.get("permissions"):
        return None, "totp confirm %s: %s %s" % (name, st, j)
    return c, seed


def rules_config(top):
    """Top-level config for a daemon that alerts at once: Vigil's rules, correlation
    windows closed after 1 s, stats every second, no clock-skew findings."""
    return ("rules:\n  paths: [%s]\ncorrelation:\n  lateness: 1s\nflush_ms: 20\n"
            "stats_interval: 1\nhealth:\n  max_clock_skew: 0\n" % os.path.join(top, "rules"))


def input_addr(data, kind):
    """The address the daemon of data dir `data` bound for its first input of type kind."""
    with open(os.path.join(data, "serve.json")) as f:
        return [i["addr"] for i in json.load(f)["inputs"] if i["type"] == kind][0]


def send_tcp(addr, lines):
    """Sends lines over one syslog TCP connection (newline framed)."""
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"".join(l.encode() + b"\n" for l in lines))


def stamp(seconds_ago):
    """An RFC 5424 timestamp seconds_ago before now (UTC)."""
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds_ago)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_account(url, sysc, secc, name, role, password):
    """An account made by the system administrator's client sysc, given role by the
    security administrator's secc, signed in and its one-time password changed to
    password; returns its client, or None when a step failed."""
    st, j = sysc.call("POST", "/api/v1/accounts", {"name": name})
    if st != 200:
        return None
    st, _ = secc.call("POST", "/api/v1/accounts/%s/roles" % name, {"roles": [role]})
    c = Client(url)
    st2, _ = c.login(name, j["one_time_password"])
    st3, _ = c.call("POST", "/api/v1/password", {"old": j["one_time_password"], "new": password})
    return c if (st, st2, st3) == (200, 200, 200) else None
