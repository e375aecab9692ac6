#!/usr/bin/env bash
# install.sh VIGIL_BINARY PREFIX — installs Vigil as a service: the binary in
# PREFIX/bin, a system account `vigil` (no login shell, no home but its data dir),
# /etc/vigil/vigil.yaml (kept if present), /var/lib/vigil (0700, owned by vigil) and the
# systemd unit, which grants CAP_NET_BIND_SERVICE so port 514 binds without root.
set -eu
bin=$1
prefix=${2:-/usr/local}
top=$(cd "$(dirname "$0")/.." && pwd)
install -D -m 0755 "$bin" "$prefix/bin/vigil"
if ! getent passwd vigil >/dev/null; then
    useradd --system --home-dir /var/lib/vigil --no-create-home --shell /usr/sbin/nologin vigil
fi
install -d -m 0700 -o vigil -g vigil /var/lib/vigil
install -d -m 0750 -o root -g vigil /etc/vigil
[ -f /etc/vigil/vigil.yaml ] || install -m 0640 -o root -g vigil "$top/packaging/vigil.yaml" /etc/vigil/vigil.yaml
sed "s|@BINDIR@|$prefix/bin|g" "$top/packaging/vigil.service" >/etc/systemd/system/vigil.service
chmod 0644 /etc/systemd/system/vigil.service
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "installed; start with: systemctl enable --now vigil"
else
    echo "installed; systemd is not running here, so the unit was written but not loaded"
fi
