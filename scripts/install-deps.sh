#!/usr/bin/env bash
# Installs what Verdict needs on a fresh Debian machine: the system libraries it links (LMDB,
# xxHash), the LMDB command-line tools used by the interop tests, python3-lmdb's pip twin, and the
# pinned Python packages that generate the reference workload and the model goldens.
# Idempotent: does nothing when everything is present. Called by the Makefile.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(liblmdb-dev libxxhash-dev lmdb-utils pkg-config)
# `install-deps.sh bench` also installs the peers the bench commands compare against.
if [ "${1:-}" = bench ]; then
  apt_packages+=(redis-server liblua5.4-dev libluajit-5.1-dev)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp="$here/.build-deps.stamp"
req="$here/requirements.txt"
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ]; then
  echo "install-deps: pip install -r requirements.txt" >&2
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -r "$req"
  touch "$stamp"
fi
