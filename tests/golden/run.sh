#!/usr/bin/env bash
# run.sh — golden tests of decoding: for every tests/golden/CASE.log, runs
# "$VIGIL_BIN parse" with a fixed receive time (and CASE.args, e.g. "--tz Asia/Shanghai",
# when present) and compares each output event with the same line of CASE.jsonl.
# Events are compared as parsed JSON without their "id" (a hash; its determinism is
# checked separately by running a case twice). The expected files were written from
# the formats, not copied from the program. Also checks a 1 MB line: cut at 64 KiB,
# flagged, and the following line still decoded. Prints "ok - NAME" / "not ok - NAME: why".
set -u
dir=$(cd "$(dirname "$0")" && pwd)
bin=${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}
received=2024-11-26T00:00:00Z
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

compare() { # expected actual -> prints the first difference, exit 1 on mismatch
    python3 - "$1" "$2" <<'EOF'
import json, sys
exp = open(sys.argv[1], encoding="utf-8").read().splitlines()
act = open(sys.argv[2], encoding="utf-8").read().splitlines()
if len(exp) != len(act):
    print("expected %d events, got %d" % (len(exp), len(act)))
    sys.exit(1)
for n, (e, a) in enumerate(zip(exp, act), 1):
    e, a = json.loads(e), json.loads(a)
    a.pop("id", None)
    e.pop("id", None)
    if e != a:
        keys = sorted(set(e) | set(a))
        diff = [k for k in keys if e.get(k) != a.get(k)]
        k = diff[0]
        if k == "fields":
            fk = sorted(set(e[k]) | set(a.get(k, {})))
            fd = [x for x in fk if e[k].get(x) != a.get(k, {}).get(x)]
            print("line %d: fields.%s: expected %r, got %r" % (n, fd[0], e[k].get(fd[0]), a.get(k, {}).get(fd[0])))
        else:
            print("line %d: %s: expected %r, got %r" % (n, k, e.get(k), a.get(k)))
        sys.exit(1)
EOF
}

for log in "$dir"/*.log; do
    name=$(basename "$log" .log)
    args=()
    [ -f "$dir/$name.args" ] && read -r -a args <"$dir/$name.args"
    if ! timeout 60 "$bin" parse --received "$received" "${args[@]}" <"$log" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
        echo "not ok - golden/$name: vigil parse failed: $(head -c 300 "$tmp/$name.err")"
        fail=1
        continue
    fi
    if why=$(compare "$dir/$name.jsonl" "$tmp/$name.out"); then
        echo "ok - golden/$name"
    else
        echo "not ok - golden/$name: $why"
        fail=1
    fi
done

# Ids are deterministic: the same input twice gives the same ids, distinct per line.
timeout 60 "$bin" parse --received "$received" <"$dir/auth.log" >"$tmp/again.out" 2>/dev/null
if python3 - "$tmp/auth.out" "$tmp/again.out" <<'EOF'
import json, sys
a = [json.loads(l)["id"] for l in open(sys.argv[1])]
b = [json.loads(l)["id"] for l in open(sys.argv[2])]
sys.exit(0 if a == b and len(set(a)) == len(a) and a else 1)
EOF
then echo "ok - golden/ids_deterministic"; else echo "not ok - golden/ids_deterministic: ids differ between runs or repeat"; fail=1; fi

# A 1 MB line is cut at EVENT_MAX_RECORD (64 KiB) and flagged; the next line is intact.
python3 -c '
import sys
sys.stdout.write("Nov 25 10:00:00 h p: " + "A" * (1 << 20) + "\n")
sys.stdout.write("Nov 25 10:00:01 h2 p: next\n")' >"$tmp/long.log"
if timeout 60 "$bin" parse --received "$received" <"$tmp/long.log" >"$tmp/long.out" 2>/dev/null &&
    python3 - "$tmp/long.out" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 2, len(ev)
assert "truncated" in ev[0]["flags"], ev[0].get("flags")
assert len(ev[0]["raw"]) == 65536, len(ev[0]["raw"])
assert ev[0]["fields"]["host"] == "h"
assert ev[1]["fields"]["host"] == "h2" and ev[1]["fields"]["message"] == "next"
assert "flags" in ev[1] and "truncated" not in ev[1]["flags"]
EOF
then echo "ok - golden/long_line_1mb"; else echo "not ok - golden/long_line_1mb: not cut/flagged or next line lost"; fail=1; fi

exit $fail
