#!/bin/sh
# Installs the Debian packages fdscope needs to build and test, when missing.
# libdw-dev: elfutils, symbolize/ turns trace stacks into functions and lines.
# As root it runs apt-get; otherwise it prints the command and fails.
# Test peers: lsof and util-linux (lsfd) to compare with; dpkg-dev
# (dpkg-shlibdeps: `make deb` computes the package's dependencies) and man-db
# (the package test reads `man fdscope`); chromium and a font to render the
# plot's SVG in a real browser.
set -eu
PKGS="cmake ninja-build g++ make pkg-config libcli11-dev libfmt-dev nlohmann-json3-dev
libmnl-dev libdw-dev libgtest-dev googletest lsof util-linux iproute2 procps python3 time
clang bpftool libbpf-dev libncurses-dev tmux dpkg-dev man-db chromium fonts-dejavu-core"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "fdscope needs these Debian packages:$missing" >&2
  echo "run: sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
