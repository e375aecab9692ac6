#!/usr/bin/env python3
"""test_saved_searches.py — saved searches kept in vigil.db per account, over the API.

An analyst saves searches, lists them newest first and replaces one by its name; the
refusals (empty or blank texts, a name over 100 characters or a query over 4,096, a
query that does not parse, the 101st search) come with their reason, and lengths count
characters, not bytes. Another analyst neither sees nor deletes them (404, as for an id
that does not exist) and may use the same names; a read-only account (the matrix gives
it `search`) keeps its own; roles without `search` get 403. Deleting an account deletes
its searches. The auditor finds every save and delete, refused ones too, in the trail,
and the searches are still there after the daemon restarts.
"""
import shutil
import tempfile

from console import Client, new_account, ready_admin, start_console
from harness import report, status, stop_daemon

PASSWORDS = {"sysadmin": "Moon-river-1961", "secadmin": "blue-Kite-47",
             "auditor": "xK9#mq2!Lp", "ana": "Tr0ub4dor&3x", "bob": "Corr3ct-Horse!",
             "reader": "Green*Lamp*88"}


def names(c):
    st, j = c.call("GET", "/api/v1/searches")
    return [(s["name"], s["query"]) for s in j] if st == 200 else ("status %d" % st, j)


def save(c, name, query):
    return c.call("POST", "/api/v1/searches", {"name": name, "query": query})


def check_save_list_replace(ana):
    report("a new account has no saved searches", names(ana) == [], repr(names(ana)))
    st, a = save(ana, "ssh failures", "program:sshd AND outcome:failure")
    st2, b = save(ana, "root", "user:root")
    report("save two searches", st == st2 == 200 and a["replaced"] is False
           and a["name"] == "ssh failures" and a["id"] != b["id"] and "created" in a,
           "%d %s %d %s" % (st, a, st2, b))
    report("the list holds them, newest first",
           names(ana) == [("root", "user:root"),
                          ("ssh failures", "program:sshd AND outcome:failure")],
           repr(names(ana)))
    st, c = save(ana, "  ssh failures ", "program:sshd")
    report("saving under a name taken replaces that search's query (spaces around trimmed)",
           st == 200 and c["replaced"] is True and c["id"] == a["id"]
           and names(ana) == [("ssh failures", "program:sshd"), ("root", "user:root")],
           "%d %s %r" % (st, c, names(ana)))
    return a["id"]


def check_refusals(ana):
    cases = [
        ({"name": "", "query": "x"}, "name"), ({"name": "   ", "query": "x"}, "name"),
        ({"name": "q", "query": ""}, "query"), ({"name": "q", "query": "  \t "}, "query"),
        ({"name": "n" * 101, "query": "x"}, "name"), ({"name": "q", "query": "a" * 4097}, "query"),
        ({"name": "a\nb", "query": "x"}, "control"), ({"name": "q", "query": "(user:root"}, "parse"),
        ({"name": "q"}, "expected"), ({"name": 5, "query": "x"}, "expected"),
    ]
    wrong = []
    for body, word in cases:
        st, j = ana.call("POST", "/api/v1/searches", body)
        if st != 400 or word not in (j or {}).get("error", ""):
            wrong.append("%r -> %d %s" % ({k: str(v)[:20] for k, v in body.items()}, st, j))
    report("empty, blank, too long, control characters and unparsable queries get 400 and"
           " say why", not wrong, "; ".join(wrong))
    st, j = save(ana, "检" * 100, "a" * 4096)
    report("the maxima count characters: 100 Chinese characters and a 4,096-character query",
           st == 200, "%d %s" % (st, j))
    ana.call("POST", "/api/v1/searches/%d/delete" % j["id"]) if st == 200 else None
    st, j = ana.call("POST", "/api/v1/searches/abc/delete")
    st2, j2 = ana.call("POST", "/api/v1/searches/999999999/delete")
    report("a delete of an id that is no number gets 400, of no search 404",
           st == 400 and st2 == 404, "%d %s %d %s" % (st, j, st2, j2))


def check_cap(ana):
    have = len(names(ana))
    codes = {save(ana, "cap %03d" % i, "host:h%d" % i)[0] for i in range(100 - have)}
    st, j = save(ana, "one too many", "host:x")
    report("100 saved searches per account: the 101st gets 409 with the reason",
           codes == {200} and len(names(ana)) == 100 and st == 409
           and "100" in j.get("error", "") and "delete one" in j["error"],
           "%r %d %s" % (codes, st, j))
    st, j = save(ana, "cap 000", "host:replaced")
    report("at the cap, a search is still replaced by its name", st == 200 and j["replaced"],
           "%d %s" % (st, j))
    lst = ana.call("GET", "/api/v1/searches")[1]
    victim = [s for s in lst if s["name"] == "cap 001"][0]
    st, j = ana.call("POST", "/api/v1/searches/%d/delete" % victim["id"])
    st2, _ = save(ana, "one too many", "host:x")
    report("after a delete there is room for one more", st == 200 and st2 == 200
           and "cap 001" not in [n for n, _ in names(ana)], "%d %s %d" % (st, j, st2))


def check_others(url, ana, bob, reader, admins, ssh_id):
    report("another account does not see them", names(bob) == [], repr(names(bob)))
    st, j = bob.call("POST", "/api/v1/searches/%d/delete" % ssh_id)
    report("another account's delete of one gets 404, and it stays", st == 404
           and "ssh failures" in [n for n, _ in names(ana)], "%d %s" % (st, j))
    st, j = save(bob, "ssh failures", "program:sshd AND user:bob")
    report("another account may use the same name for its own", st == 200 and j["id"] != ssh_id
           and ("ssh failures", "program:sshd") in names(ana), "%d %s" % (st, j))
    st, j = save(reader, "mine", "host:srv1")
    st2, j2 = reader.call("POST", "/api/v1/searches/%d/delete" % j.get("id", 0))
    report("a read-only account (search in the matrix) saves, lists and deletes its own",
           st == 200 and st2 == 200 and names(reader) == [], "%d %s %d %s" % (st, j, st2, j2))
    denied = [(n, m, p) for n, c in admins.items()
              for m, p, b in (("GET", "/api/v1/searches", None),
                              ("POST", "/api/v1/searches", {"name": "x", "query": "x"}),
                              ("POST", "/api/v1/searches/%d/delete" % ssh_id, None))
              if c.call(m, p, b)[0] != 403]
    report("roles without search (the administrators) get 403", not denied, repr(denied))


def check_account_delete(url, sysc, secc):
    st, j = sysc.call("POST", "/api/v1/accounts/bob/delete")
    bob2 = new_account(url, sysc, secc, "bob", "analyst", PASSWORDS["bob"])
    report("a deleted account's searches go with it (a new bob starts empty)",
           st == 200 and bob2 is not None and names(bob2) == [], "%d %s" % (st, j))


def check_audit(audc):
    st, trail = audc.call("GET", "/api/v1/audit?limit=1000")
    rows = [(a["actor"], a["action"], a["object"], a["result"]) for a in trail] \
        if st == 200 else []

    def has(actor, action, obj, result):
        return any(r[0] == actor and r[1] == action and obj in r[2] and r[3].startswith(result)
                   for r in rows)
    want = [("ana", "search.save", "ssh failures: program:sshd AND outcome:failure", "ok: saved"),
            ("ana", "search.save", "ssh failures: program:sshd", "ok: replaced"),
            ("ana", "search.save", "one too many", "refused: 100 searches"),
            ("ana", "search.save", "(user:root", "refused: the query does not parse"),
            ("ana", "search.delete", ": cap 001", "ok"),
            ("bob", "search.delete", "", "refused"),
            ("reader", "search.delete", ": mine", "ok")]
    missing = [w for w in want if not has(*w)]
    report("saves and deletes, refused ones with their reason, are in the audit trail",
           st == 200 and not missing, "%d missing %r" % (st, missing))


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-saved-")
    proc = None
    try:
        started = start_console(tmp)
        report("the daemon starts with its console", started is not None, "see console.log")
        if not started:
            return
        proc, url, first, _ = started
        admins = {}
        for name in ("sysadmin", "secadmin", "auditor"):
            c, seed = ready_admin(url, name, first[name], PASSWORDS[name])
            report("%s ready" % name, c is not None, seed)
            if c is None:
                return
            admins[name] = c
        sysc, secc = admins["sysadmin"], admins["secadmin"]
        users = {n: new_account(url, sysc, secc, n, r, PASSWORDS[n])
                 for n, r in (("ana", "analyst"), ("bob", "analyst"), ("reader", "readonly"))}
        report("two analysts and a read-only account are ready", None not in users.values(), "")
        if None in users.values():
            return
        ana = users["ana"]
        ssh_id = check_save_list_replace(ana)
        check_refusals(ana)
        check_cap(ana)
        check_others(url, ana, users["bob"], users["reader"], admins, ssh_id)
        check_account_delete(url, sysc, secc)
        check_audit(admins["auditor"])

        before = names(ana)
        code = stop_daemon(proc)
        proc = None
        report("the daemon stops cleanly", code == 0, str(code))
        started = start_console(tmp)
        report("the daemon starts again on the same data", started is not None, "")
        if not started:
            return
        proc, url = started[0], started[1]
        ana = Client(url)
        st, _ = ana.login("ana", PASSWORDS["ana"])
        report("the searches survive a restart, in the same order",
               st == 200 and len(before) == 100 and names(ana) == before,
               "%d %d %r" % (st, len(before), names(ana)[:3]))
    finally:
        if proc:
            code = stop_daemon(proc)
            report("the daemon stops cleanly at the end", code == 0, str(code))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
    raise SystemExit(status())
