#!/usr/bin/env bash
# run-tests.sh BUILD — runs every test of the project against the binaries in BUILD and
# ends with one line "N passed, N failed". Every test program prints "ok - NAME" or
# "not ok - NAME: why" per case; a program that exits non-zero without reporting a
# failure (a crash, a sanitizer report) counts as one failed case of its own.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export VIGIL_BIN="$top/$build/vigil" VIGIL_TOP="$top" VIGIL_BUILD="$top/$build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0

run_one() { # label, command...
    local label=$1; shift
    local out rc
    out=$("$@" 2>&1); rc=$?
    printf '%s\n' "$out" >>"$log"
    local p f
    p=$(printf '%s\n' "$out" | grep -c '^ok - ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok - ')
    printf '%s\n' "$out" | grep '^not ok - ' | sed "s|^|[$label] |"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "[$label] not ok - exited with status $rc"
        printf '%s\n' "$out" | tail -20 | sed "s|^|    |"
    fi
    printf '%-44s %4d passed %3d failed\n' "$label" "$p" "$f"
    passed=$((passed + p))
    failed=$((failed + f))
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "unit/$(basename "$t")" "$t"
done

for r in "$build"/fuzz-replay/fuzz_*; do
    [ -x "$r" ] || continue
    name=$(basename "$r")
    run_one "fuzz-replay/$name" "$r" "tests/fuzz/corpus/${name#fuzz_}"
done

for g in tests/golden/*.sh tests/integration/*.sh tests/integration/test_*.py; do
    [ -f "$g" ] || continue
    case "$g" in
    *.py) run_one "${g#tests/}" timeout 600 python3 "$g" ;;
    *) run_one "${g#tests/}" timeout 600 bash "$g" ;;
    esac
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
