#!/usr/bin/env bash
# bench.sh BUILD — the benchmarks of `make bench`. Generates the standard input
# (gen-mixed-logs.py 1000000 42, cached under build/bench-data), then runs every
# benchmark; each prints its figures, the machine and the command to rerun it.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
gen="$top/../shared/tools/gen-mixed-logs.py"
data="$build/bench-data"
mkdir -p "$data"
input="$data/mixed-1m-42.log"
if [ ! -s "$input" ]; then
    echo "generating $input"
    python3 "$gen" 1000000 42 >"$input.tmp" && mv "$input.tmp" "$input"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo
if [ -x "$build/bench/bench_decode" ]; then
    echo "== decode (one core)"
    "$build/bench/bench_decode" "$input"
    echo
fi
if [ -x "$build/bench/bench_decoders" ]; then
    echo "== each decoder on its own (one core): the golden corpus of every format"
    "$build/bench/bench_decoders" "$top"/tests/golden/*.log
    echo
fi
if [ -x "$build/bench/bench_store" ]; then
    echo "== decode + store, searches while writing"
    rm -rf "$data/store-1m"
    "$build/bench/bench_store" "$input" "$data/store-1m"
    echo
    echo "== search over 10M events in 7 day files"
    rm -rf "$data/store-10m"
    "$build/bench/bench_store" "$input" "$data/store-10m" --search-10m
    if [ -x "$build/bench/bench_web" ]; then
        echo
        echo "== the console's API over HTTPS: alert queue, overview, searches over those 10M events"
        "$build/bench/bench_web" "$data/store-10m"
    fi
    rm -rf "$data/store-10m" "$data/store-1m"
fi
if [ -x "$build/bench/bench_http" ]; then
    echo "== HTTP libraries for the console: libmicrohttpd against libevent's evhttp"
    "$build/bench/bench_http" 20000
    echo
fi
webdev="$top/../shared/webattack-dev"
if [ -d "$webdev" ]; then
    echo "== web attack analyzers: accuracy on the development set and the repository's benign set, throughput (one core)"
    echo "   rerun: $build/vigil analyze --sqli $webdev/sqli --xss $webdev/xss --benign tests/data/webattack/benign.txt"
    "$build/vigil" analyze --sqli "$webdev/sqli" --xss "$webdev/xss" \
        --benign "$top/tests/data/webattack/benign.txt" --misses 5
    echo
fi
if [ -x "$build/bench/bench_correlate" ]; then
    echo "== correlation: 1,000,000 group keys, three correlations (one core)"
    "$build/bench/bench_correlate" 1000000 4
    echo
fi
if [ -x "$build/bench/bench_rate" ]; then
    echo "== rate analyzers: 4,000,000 observations, keys over the caps (one core)"
    "$build/bench/bench_rate" 4000000
    echo
fi
if [ -x "$build/bench/bench_enrich" ]; then
    echo "== enrichment: geolocation and named lists, per event (one core)"
    "$build/bench/bench_enrich"
    echo
fi
if [ -x "$build/bench/bench_sigma" ]; then
    echo
    echo "== Sigma: all rules of ../shared/sigma-rules, routed"
    # Windows (Sysmon, Security 4688, PowerShell), sshd/sudo and Apache events with ~0.5%
    # attacks (scripts/gen-sigma-bench.py); matched one core, checked against the reference.
    sigma_input="$data/sigma-1m-42.log"
    if [ ! -s "$sigma_input" ]; then
        echo "generating $sigma_input"
        python3 scripts/gen-sigma-bench.py 1000000 42 >"$sigma_input.tmp" && mv "$sigma_input.tmp" "$sigma_input"
    fi
    "$build/bench/bench_sigma" "$top/../shared/sigma-rules" "$sigma_input" --check 20000
fi
