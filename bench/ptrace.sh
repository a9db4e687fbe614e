#!/bin/sh
# The ptrace engine against native runs and strace, medians of 3 wall
# times, each measured the same way from outside (so the engine's figure
# includes starting fdscope_ptrace_bench, as the others include starting
# strace; bench/ptrace_bench.cpp runs the engine with a counting sink):
#   W1  100,000 open+close pairs of /dev/null (every call an fd syscall)
#   W2  1,000,000 getpid() and 1,000 open+close pairs (fd calls rare)
# Usage: bench/ptrace.sh [BUILD_DIR]   (default build)
set -eu
build=${1:-build}
fx=$build/fixtures/trace
bench=$build/bench/fdscope_ptrace_bench

median3() { sort -n | sed -n 2p; }
wall() {  # wall seconds of one run of "$@"
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
}
run3() { for _ in 1 2 3; do wall "$@"; done | median3; }

for w in "W1 $fx/ptrace_openclose_fp 100000" "W2 $fx/ptrace_getpid_fp 1000000 1000"; do
    set -- $w
    name=$1; shift
    native=$(run3 "$@")
    ptrace=$(run3 "$bench" -- "$@")
    ptrace_stacks=$(run3 "$bench" --stacks -- "$@")
    strace_all=$(run3 strace -f -o /dev/null "$@")
    strace_seccomp=$(run3 strace -f --seccomp-bpf -e trace=%desc,%net -o /dev/null "$@")
    echo "$name native $native  ptrace $ptrace  ptrace+stacks $ptrace_stacks  strace-f $strace_all  strace-seccomp $strace_seccomp"
    echo "$name ratios: ptrace/strace-f $(echo "scale=3; $ptrace / $strace_all" | bc)  ptrace/strace-seccomp $(echo "scale=3; $ptrace / $strace_seccomp" | bc)  ptrace/native $(echo "scale=2; $ptrace / $native" | bc)  ptrace+stacks/native $(echo "scale=2; $ptrace_stacks / $native" | bc)"
    "$bench" -- "$@" | head -1
done
