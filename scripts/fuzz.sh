#!/usr/bin/env bash
# fuzz.sh SECONDS — builds every tests/fuzz/fuzz_*.c with clang's libFuzzer (+ASan,
# UBSan) and runs each for SECONDS, starting from the seed corpus tests/fuzz/corpus/<name>/
# (which `make test` replays). What the fuzzer learns is kept in build-fuzz/corpus/<name>/
# for the next run, not in the repository; a crash leaves crash-* files in build-fuzz/ and
# fails the run: copy such an input into the seed corpus once it is fixed, so it replays.
set -eu
secs=${1:-30}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build-fuzz
mkdir -p "$out"
pkgs="yaml-0.1 sqlite3 libzstd libpcre2-8 libhs libevtx expat libcurl libmaxminddb geoip libcrypto liboath libargon2 libmicrohttpd jansson ldap libevent libevent_pthreads" # as the Makefile's PKGS
cflags="-std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer-no-link,address,undefined $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -lunistring -lpthread -lm"
srcs=$(ls src/*/*.c src/*/*/*.c 2>/dev/null | grep -v '^src/cli/main.c$')
# an object is rebuilt when its source or any header (.h, .def) is newer: headers change
# struct layouts, and a stale object gives crashes that are not there
newest_hdr=$(ls -t $(find src -name '*.h' -o -name '*.def') | head -1)
objs=()
for s in $srcs; do
    o="$out/obj/${s%.c}.o"
    mkdir -p "$(dirname "$o")"
    if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_hdr" -nt "$o" ]; then
        clang $cflags -c "$s" -o "$o"
    fi
    objs+=("$o")
done
status=0
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    # FUZZ_ONLY="fuzz_a fuzz_b" runs just those targets
    if [ -n "${FUZZ_ONLY:-}" ] && ! [[ " $FUZZ_ONLY " == *" $name "* ]]; then continue; fi
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    mkdir -p "$corpus" "$out/corpus/$name"
    clang $cflags -fsanitize=fuzzer "$t" "${objs[@]}" $libs -o "$out/$name"
    echo "== $name: ${secs}s"
    if ! (cd "$out" && "./$name" -max_total_time="$secs" -max_len=131072 -timeout=10 \
        -rss_limit_mb=2048 "corpus/$name" "$top/$corpus" >"$name.log" 2>&1); then
        echo "FAIL $name (see $out/$name.log)"; tail -30 "$out/$name.log"; status=1; continue
    fi
    tail -1 "$out/$name.log"
done
exit $status
