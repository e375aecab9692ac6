#!/usr/bin/env python3
"""test_audit_verify.py — the sealed audit trail against someone who edits the store.

Writes a trail of twelve records the way operators do (each `vigil search` and
`vigil terminals` run is audited), then copies the data directory and, on each copy,
tampers with vigil.db directly with SQLite (lifting the append-only triggers first, as an
attacker with the file would): edits a record, deletes one in the middle, deletes the first,
cuts off the tail, swaps two records, removes a seal, and edits a record and re-seals
the whole chain with the key (which only the heads written out can show). `vigil audit verify` must pass on the
untouched trail and fail on every copy, naming the record. A trail written with HMAC-SM3
(through `vigil serve -c` with `audit: {hmac: sm3}`) verifies too, and an edit to it is
found.
"""
import hashlib
import hmac
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile

from harness import VIGIL, report, status, stop_daemon, wait_ready


def run(*args):
    p = subprocess.run([VIGIL, *args], capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def verify(data, *extra):
    return run("audit", "verify", "-d", data, *extra)


def tamper(data, *sql):
    """Runs sql on the copy's vigil.db with the append-only triggers lifted."""
    db = sqlite3.connect(os.path.join(data, "vigil.db"))
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("DROP TRIGGER audit_no_delete")
    for s in sql:
        db.execute(s)
    db.commit()
    db.close()


def reseal(path, key):
    """Recomputes every seal as store_audit_seal.c does (HMAC-SHA256 over the previous
    seal, id, time and the five texts with their lengths, little-endian)."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    prev = bytes(32)
    rows = db.execute("SELECT id, time, actor, source, action, object, result FROM audit"
                      " ORDER BY id").fetchall()
    for r in rows:
        m = hmac.new(key, prev, hashlib.sha256)
        m.update(struct.pack("<qq", r[0], r[1]))
        for t in r[2:]:
            b = t.encode()
            m.update(struct.pack("<Q", len(b)) + b)
        prev = m.digest()
        db.execute("UPDATE audit SET seal = ? WHERE id = ?", ("hmac-sha256:" + prev.hex(), r[0]))
    db.commit()
    db.close()


def copy(tmp, base, name):
    d = os.path.join(tmp, name)
    shutil.copytree(base, d)
    return d


def check_fails(name, data, want_lines):
    rc, out, err = verify(data)
    missing = [w for w in want_lines if w not in out]
    report(name, rc == 1 and "FAILED" in out and not missing,
           "rc=%d missing %r in %r %r" % (rc, missing, out[-600:], err[-300:]))


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-audit-")
    try:
        base = os.path.join(tmp, "base")
        os.makedirs(base, 0o700)
        for i in range(6):
            run("search", "-d", base, "user:alice%d" % i)
            run("terminals", "-d", base)
        db = sqlite3.connect(os.path.join(base, "vigil.db"))
        n = db.execute("SELECT count(*) FROM audit").fetchone()[0]
        seals = db.execute("SELECT count(*) FROM audit WHERE seal LIKE 'hmac-sha256:%'")
        sealed = seals.fetchone()[0]
        db.close()
        report("every command run left a sealed record", n == 12 and sealed == 12,
               "records %d sealed %d" % (n, sealed))
        key_mode = os.stat(os.path.join(base, "audit.key")).st_mode & 0o777
        report("the key is readable by its owner only", key_mode == 0o400, oct(key_mode))

        pristine = copy(tmp, base, "pristine")
        rc, out, err = verify(pristine)
        report("an untouched trail verifies", rc == 0 and out.startswith("ok: 12 records"),
               "rc=%d %r %r" % (rc, out, err))
        rc, out, _ = verify(pristine)
        report("the verification itself is audited, and the trail stays whole",
               rc == 0 and out.startswith("ok: 13 records"), out)

        d = copy(tmp, base, "edited")
        tamper(d, "UPDATE audit SET object = 'user:mallory' WHERE id = 5")
        check_fails("an edited record is named", d, ["record 5: altered"])
        rc, out, _ = verify(d)
        report("one edit is one problem, not every record after it",
               sum(l.startswith("record ") for l in out.splitlines()) == 1
               and "FAILED: 1 problem" in out, out)

        d = copy(tmp, base, "edited-time")
        tamper(d, "UPDATE audit SET time = time - 3600000000000 WHERE id = 7")
        check_fails("a record moved in time is named", d, ["record 7: altered"])

        d = copy(tmp, base, "deleted")
        tamper(d, "DELETE FROM audit WHERE id = 6")
        check_fails("a deleted record is named", d, ["record 6: records 6 to 6 are missing"])

        d = copy(tmp, base, "deleted-first")
        tamper(d, "DELETE FROM audit WHERE id <= 2")
        check_fails("deleted first records are named", d, ["records 1 to 2 are missing"])

        d = copy(tmp, base, "truncated")
        tamper(d, "DELETE FROM audit WHERE id > 9")
        check_fails("a cut-off tail is found through the heads", d,
                    ["record 10: records 10 to 12 are missing: the trail ends at record 9"])

        d = copy(tmp, base, "swapped")
        db = sqlite3.connect(os.path.join(d, "vigil.db"))
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT id, time, actor, source, action, object, result, seal FROM audit"
            " WHERE id IN (3, 4)")}
        db.close()
        cols = "time = ?, actor = ?, source = ?, action = ?, object = ?, result = ?, seal = ?"
        db = sqlite3.connect(os.path.join(d, "vigil.db"))
        db.execute("DROP TRIGGER audit_no_update")
        db.execute("UPDATE audit SET %s WHERE id = 3" % cols, rows[4])
        db.execute("UPDATE audit SET %s WHERE id = 4" % cols, rows[3])
        db.commit()
        db.close()
        check_fails("two swapped records are named", d, ["record 3: altered", "record 4: altered"])

        d = copy(tmp, base, "unsealed")
        tamper(d, "UPDATE audit SET seal = NULL WHERE id = 8")
        check_fails("a record without its seal is named", d, ["record 8: it carries no seal"])

        d = copy(tmp, base, "resealed")
        # an attacker who also holds the key edits a record and re-seals the chain from
        # there: the chain is whole again, but the heads written out name the old seals
        with open(os.path.join(d, "audit.key")) as f:
            key = bytes.fromhex(f.read().strip())
        tamper(d, "UPDATE audit SET result = 'rows 0' WHERE id = 4")
        reseal(os.path.join(d, "vigil.db"), key)
        rc, out, _ = verify(d)
        report("a trail edited and re-sealed with the key is caught by the heads",
               rc == 1 and "record 4: differs from the head written at" in out
               and "altered" not in out, out[-600:])

        d = copy(tmp, base, "noheads")
        os.unlink(os.path.join(d, "audit.heads"))
        rc, out, _ = verify(d)
        report("without the heads file verify says a cut tail cannot be told",
               rc == 0 and "warning: no heads file" in out, out)

        d = copy(tmp, base, "nokey")
        os.chmod(os.path.join(d, "audit.key"), 0o600)
        os.unlink(os.path.join(d, "audit.key"))
        rc, out, err = verify(d)
        report("a sealed trail without its key is refused, not re-keyed",
               rc == 1 and "restore it" in err and not os.path.exists(
                   os.path.join(d, "audit.key")), "rc=%d %r %r" % (rc, out, err))

        # HMAC-SM3, chosen in the daemon's configuration, and kept for later commands
        sm3 = os.path.join(tmp, "sm3")
        os.makedirs(sm3, 0o700)
        heads = os.path.join(tmp, "elsewhere.heads")
        conf = os.path.join(tmp, "sm3.yaml")
        with open(conf, "w") as f:
            f.write("data_dir: %s\nweb: {listen: 127.0.0.1:0}\ninputs:\n  - type: syslog_udp\n    listen: 127.0.0.1:0\n"
                    "audit:\n  hmac: sm3\n  heads_file: %s\n  heads_syslog: false\n"
                    % (sm3, heads))
        p = subprocess.Popen([VIGIL, "serve", "-c", conf], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        ok = wait_ready(p, os.path.join(sm3, "serve.json")) is not None
        code = stop_daemon(p)
        report("the daemon starts with audit: {hmac: sm3}", ok and code == 0, str(code))
        run("search", "-d", sm3, "host:web1")
        db = sqlite3.connect(os.path.join(sm3, "vigil.db"))
        kinds = {r[0] for r in db.execute("SELECT substr(seal, 1, 9) FROM audit")}
        db.close()
        report("every record is sealed with HMAC-SM3", kinds == {"hmac-sm3:"}, repr(kinds))
        rc, out, _ = verify(sm3)
        report("an SM3 trail verifies against the heads file configured elsewhere",
               rc == 0 and out.startswith("ok:") and os.path.exists(heads)
               and not os.path.exists(os.path.join(sm3, "audit.heads")), out)
        tamper(sm3, "UPDATE audit SET actor = 'root' WHERE id = 1")
        check_fails("an edit to an SM3 trail is named", sm3, ["record 1: altered"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
