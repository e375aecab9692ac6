#!/usr/bin/env bash
# setup.sh — installs the Debian packages that building and testing Vigil need, when
# they are missing. Runs as root (as here and on CI) or through sudo. Quiet when
# everything is present, so `make test` and `make run` can call it every time.
set -eu
packages=(
    build-essential pkg-config
    libyaml-dev libsqlite3-dev libzstd-dev libpcre2-dev libunistring-dev
    libhyperscan-dev libevtx-dev libexpat1-dev libcurl4-openssl-dev
    libmaxminddb-dev libgeoip-dev geoip-database libssl-dev
    libargon2-dev liboath-dev libmicrohttpd-dev libjansson-dev libldap2-dev libevent-dev
    slapd ldap-utils
    clang libclang-rt-14-dev llvm
    python3 sqlite3
    chromium fonts-wqy-microhei
)
missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
# Node.js and npm build the console: Debian's, unless a newer Node is there already
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "setup: installing ${missing[*]}"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
