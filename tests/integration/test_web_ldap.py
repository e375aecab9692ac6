#!/usr/bin/env python3
"""test_web_ldap.py — directory accounts against a real OpenLDAP server (slapd, started
here on 127.0.0.1 with a directory of its own).

The directory holds a service account, people and groups. The daemon's configuration maps
groups to roles (analysts, security administrators, auditors) and a group to the personal-
data privilege, with the service account's password sealed by `vigil secret seal`. Checked:
a directory user signs in with the directory's password and gets the roles of its groups;
wrong, empty and unknown credentials and filter injections are refused; groups that would
give two administrator roles, or none, refuse the login with a reason; an administrator
from the directory must still enrol TOTP; the password is not changed through Vigil.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from console import Client, start_console
from harness import VIGIL, report, status, stop_daemon

BASE = "dc=example,dc=org"
PEOPLE = "ou=people," + BASE
GROUPS = "ou=groups," + BASE


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ldif():
    people = {"lina": "Lina-pass-2024!", "wangwei": "Wang-pass-2024!", "zhao": "Zhao-pass-2024!",
              "chen": "Chen-pass-2024!"}
    out = ["dn: %s\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n"
           % BASE]
    for ou in ("people", "groups", "services"):
        out.append("dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n" % (ou, BASE, ou))
    out.append("dn: cn=vigil,ou=services,%s\nobjectClass: person\ncn: vigil\nsn: vigil\n"
               "userPassword: Svc-pass-9!\n" % BASE)
    for uid, pw in people.items():
        out.append("dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n"
                   "userPassword: %s\n" % (uid, PEOPLE, uid, uid, uid, pw))
    groups = {"siem-analysts": ["lina", "wangwei"], "siem-auditors": ["wangwei"],
              "siem-secadmins": ["chen"], "dpo": ["lina"], "staff": ["zhao"]}
    for g, members in groups.items():
        out.append("dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n%s" % (
            g, GROUPS, g, "".join("member: uid=%s,%s\n" % (m, PEOPLE) for m in members)))
    return "\n".join(out), people


def start_slapd(tmp):
    """A slapd of its own on a free port; returns (process, url) or (None, why)."""
    if not shutil.which("slapd") and not os.path.exists("/usr/sbin/slapd"):
        return None, "slapd is not installed (make setup installs it)"
    db = os.path.join(tmp, "ldap-db")
    os.makedirs(db)
    conf = os.path.join(tmp, "slapd.conf")
    with open(conf, "w") as f:
        f.write("include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n"
                "include /etc/ldap/schema/inetorgperson.schema\nmodulepath /usr/lib/ldap\n"
                "moduleload back_mdb\npidfile %s/slapd.pid\ndatabase mdb\nmaxsize 10485760\n"
                "suffix \"%s\"\nrootdn \"cn=admin,%s\"\nrootpw admin-secret\ndirectory %s\n"
                "access to attrs=userPassword by anonymous auth by * none\n"
                "access to * by * read\n" % (tmp, BASE, BASE, db))
    port = free_port()
    url = "ldap://127.0.0.1:%d" % port
    slapd = "/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else "slapd"
    proc = subprocess.Popen([slapd, "-f", conf, "-h", url + "/", "-d", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None, "slapd did not listen"


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-ldap-")
    slapd = proc = None
    try:
        slapd, url = start_slapd(tmp)
        report("a slapd of the test's own runs on 127.0.0.1", slapd is not None, url)
        if not slapd:
            return
        text, people = ldif()
        p = subprocess.run(["ldapadd", "-x", "-H", url, "-D", "cn=admin," + BASE, "-w",
                            "admin-secret"], input=text.encode(), capture_output=True, timeout=30)
        report("the directory is filled", p.returncode == 0, p.stderr.decode()[-300:])
        data = os.path.join(tmp, "console")
        os.makedirs(data, 0o700)
        p = subprocess.run([VIGIL, "secret", "seal", "-d", data], input=b"Svc-pass-9!\n",
                           capture_output=True, timeout=30)
        sealed = p.stdout.decode().strip()
        report("vigil secret seal gives the sealed bind password",
               p.returncode == 0 and sealed.startswith("v1:") and "Svc" not in sealed, sealed)
        extra = ("  ldap:\n    url: %s\n    bind_dn: cn=vigil,ou=services,%s\n"
                 "    bind_password: %s\n    base_dn: %s\n    group_base: %s\n    roles:\n"
                 "      \"cn=siem-analysts,%s\": analyst\n      \"cn=siem-auditors,%s\": auditor\n"
                 "      \"cn=siem-secadmins,%s\": secadmin\n    pii_groups: [\"cn=dpo,%s\"]\n"
                 % (url, BASE, sealed, PEOPLE, GROUPS, GROUPS, GROUPS, GROUPS, GROUPS))
        started = start_console(tmp, extra)
        report("the daemon starts with a directory", started is not None, "see console.log")
        if not started:
            return
        proc, curl, _, _ = started

        c = Client(curl)
        st, j = c.login("lina", people["lina"])
        report("a directory user signs in with the directory's password and its groups' roles",
               st == 200 and j["roles"] == ["analyst"] and "search" in j["permissions"]
               and "pii.view" in j["permissions"] and not j["must_change_password"], "%d %s" % (st, j))
        st, j = c.call("POST", "/api/v1/password", {"old": people["lina"], "new": "Other-pass-77!"})
        report("a directory account's password is not changed through Vigil",
               st == 400 and "directory" in j["error"], "%d %s" % (st, j))
        # each refusal from an address of its own, so the address lock stays out of it
        refused = []
        for i, (user, pw) in enumerate((("lina", "wrong-Pass-1"), ("lina", ""),
                                        ("nobody", "Whatever-1!"), ("*", people["lina"]),
                                        ("lina)(uid=*", people["lina"]),
                                        ("lina*", people["lina"]))):
            st, j = Client(curl, "127.0.0.%d" % (10 + i)).login(user, pw)
            if st != 401:
                refused.append("%r: %d %s" % (user, st, j))
        report("wrong, empty and unknown credentials and filter injections are refused",
               not refused, "; ".join(refused))
        st, j = Client(curl, "127.0.0.20").login("wangwei", people["wangwei"])
        report("groups that give an auditor more roles refuse the login, saying why",
               st == 403 and "auditor" in j["error"], "%d %s" % (st, j))
        st, j = Client(curl, "127.0.0.21").login("zhao", people["zhao"])
        report("a directory user without a mapped group cannot sign in",
               st == 403 and "no Vigil role" in j["error"], "%d %s" % (st, j))
        st, j = Client(curl, "127.0.0.22").login("chen", people["chen"])
        report("an administrator from the directory must enrol a second factor",
               st == 200 and j["roles"] == ["secadmin"] and j["must_enrol_totp"]
               and j["permissions"] == [], "%d %s" % (st, j))
        slapd.kill()
        slapd.wait()
        slapd = None
        st, j = Client(curl, "127.0.0.23").login("lina", people["lina"])
        report("with the directory down the login fails with a clear message",
               st == 500 and "directory" in j["error"], "%d %s" % (st, j))
    finally:
        if proc:
            stop_daemon(proc)
        if slapd:
            slapd.kill()
            slapd.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
