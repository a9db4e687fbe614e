#!/bin/sh
# Installs the Debian packages fdscope needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the command and fails.
# One list per purpose; each package says why it is here.
set -eu

# Build: the compiler, the build tools and the libraries fdscope links.
BUILD="
cmake ninja-build g++ make pkg-config
libcli11-dev
libfmt-dev
nlohmann-json3-dev
libmnl-dev
libncurses-dev
libdw-dev
libacl1-dev
libcap-dev
libselinux1-dev
libapparmor-dev
libseccomp-dev
libunwind-dev
libcpp-httplib-dev
libyaml-cpp-dev
libcrypt-dev
"
# cmake ninja-build g++ make pkg-config: the toolchain CMakeLists.txt uses
# libcli11-dev: the command line; libfmt-dev: formatting; nlohmann-json3-dev: JSON
# libmnl-dev: sock_diag and proc connector netlink; libncurses-dev: fdscope top
# libdw-dev: elfutils, symbolizing stack frames (src/symbolize)
# libacl1-dev: reading POSIX ACLs for `fdscope why` (src/why); libcap-dev:
# capability names (report/why); libselinux1-dev, libapparmor-dev: asking
# SELinux and AppArmor what they decide (src/why/lsm_adapters)
# libseccomp-dev: the filter `fdscope trace` installs so that only fd
# syscalls stop (src/trace/ptrace)
# libunwind-dev: unw_backtrace, the preload library's walk where frame
# pointers are missing (src/preload)
# libcpp-httplib-dev: the HTTP(S) server of `fdscope serve` (src/export; it
# brings libssl-dev, zlib1g-dev and libbrotli-dev); libyaml-cpp-dev: the
# exporter-toolkit web config file; libcrypt-dev: crypt_r, which checks
# its bcrypt basic-auth hashes

# BPF: the iterator backend (src/bpf, cmake/Bpf.cmake). Without these the
# build leaves it out and says so (FDSCOPE_BPF=AUTO).
BPF="
clang
bpftool
libbpf-dev
"
# clang: compiles *.bpf.c for -target bpf; bpftool: vmlinux.h, skeletons,
# the embedded min BTF; libbpf-dev: loading the programs

# Test peers: the tools the tests compare fdscope with or drive it through.
TEST="
libgtest-dev googletest
lsof util-linux iproute2
python3
tmux
dpkg-dev man-db
chromium fonts-dejavu-core
acl e2fsprogs
strace valgrind
prometheus python3-prometheus-client openssl curl
"
# libgtest-dev googletest: GoogleTest; lsof, util-linux (lsfd), iproute2 (ss):
# the peers the differential tests agree with; python3: XML/PNG checks of the
# plot's SVG and the fixture check script; tmux: drives `fdscope top` on a
# real terminal; dpkg-dev (dpkg-shlibdeps for `make deb`) and man-db (the
# package test reads `man fdscope`); chromium and a font: render the SVG in a
# real browser; acl (setfacl), e2fsprogs (chattr, mkfs.ext4): the fixtures
# `fdscope why` is tested on (ACLs, inode flags, a small ext4 with reserved
# blocks); strace, valgrind: the peers `fdscope trace` is compared with
# prometheus (with promtool; --no-install-recommends leaves node-exporter
# out), python3-prometheus-client (its strict OpenMetrics parser), openssl
# (test certificates), curl: what `fdscope serve` is scraped and checked by

# Bench: bench/run.sh needs only python3 and the peers above; time gives
# /usr/bin/time, with which the CPU per tick in bench/RESULTS.md is measured;
# prometheus-process-exporter and prometheus-node-exporter: the exporters
# bench/serve.sh compares `fdscope serve` with (where services start on
# install, the node-exporter package enables one on :9100).
BENCH="
time
prometheus-process-exporter prometheus-node-exporter
"

PKGS="$BUILD $BPF $TEST $BENCH"
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
