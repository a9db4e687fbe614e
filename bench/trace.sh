#!/usr/bin/env bash
# `fdscope trace` against what users run instead: strace -f (every
# syscall), strace -f --seccomp-bpf (only the fd and network classes stop)
# and valgrind --track-fds=yes, on three workloads (the trace fixtures in
# build/fixtures/trace, frame pointers on):
#   openclose  100,000 open+close pairs of /dev/null (trace_leaker_fp 100000 0):
#              every syscall is an fd syscall, nothing for seccomp to skip;
#   getpid     1,000,000 getpid() and 1,000 open+close pairs (bench_getpid_fp):
#              fd syscalls are rare, what a filter can skip;
#   accept     a server accepting 10,000 loopback connections, accept4+close
#              each (bench_accept_fp); its client (bench_connect_fp) runs
#              outside the tool, one connection at a time.
# Tools: native, fdscope trace --engine bpf|ptrace with stacks and with
# --no-stacks, fdscope trace --engine preload (libfdscope-preload.so in the
# command, its frame-pointer stacks, the report read at the end),
# strace, strace-seccomp, valgrind. Each runs REPS times (5;
# SLOW_REPS, 3, for strace, strace-seccomp, valgrind and the ptrace engine),
# the order rotating every repetition, timed by bench/measure.py (wall
# time of the whole command; peak RSS of the tool's process by GNU time,
# which for fdscope includes its reaped tracees, a few MiB). Prints, per
# workload, medians and the ratios to native, strace, valgrind and the
# ptrace and bpf engines (with stacks), and writes
# the Markdown to bench/out/trace.md. Tools that cannot run here (fdscope
# without `trace`, the bpf engine unable to load, a peer not installed) are
# listed as skipped with the reason. Builds nothing: run `make build` first.
# Run as root for the bpf engine.
#
# Usage: bench/trace.sh [--tools LIST] [--workloads LIST] [--reps N]
#                       [--slow-reps N] [--build DIR] [--out FILE]
#   --tools      comma-separated, from: native, fdscope-bpf,
#                fdscope-bpf-nostacks, fdscope-ptrace, fdscope-ptrace-nostacks,
#                fdscope-preload, strace, strace-seccomp, valgrind (default: all)
#   --workloads  comma-separated, from: openclose, getpid, accept (default: all)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
tools=native,fdscope-bpf,fdscope-bpf-nostacks,fdscope-ptrace,fdscope-ptrace-nostacks,fdscope-preload,strace,strace-seccomp,valgrind
workloads=openclose,getpid,accept
reps=5
slow_reps=3
out=$root/bench/out/trace.md

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --tools) tools=$2; shift 2 ;;
    --workloads) workloads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --slow-reps) slow_reps=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "trace.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
fixtures=$build/fixtures/trace
measure=$root/bench/measure.py
fdscope=$build/fdscope
for f in trace_leaker_fp bench_getpid_fp bench_accept_fp bench_connect_fp; do
    [ -x "$fixtures/$f" ] || { echo "trace.sh: $fixtures/$f is missing: run make build" >&2; exit 1; }
done

work=$(mktemp -d /tmp/fdscope-trace-bench.XXXXXX)
client=
trap '[ -n "$client" ] && kill "$client" 2> /dev/null; rm -rf "$work"' EXIT
results=$work/results.jsonl
skipped=$work/skipped.txt
: > "$results"
: > "$skipped"
fifo=$work/port

# The workload's command line.
workload_cmd() {
    case $1 in
    openclose) echo "$fixtures/trace_leaker_fp 100000 0" ;;
    getpid) echo "$fixtures/bench_getpid_fp 1000000 1000" ;;
    accept) echo "$fixtures/bench_accept_fp $fifo 10000" ;;
    esac
}

# The prefix each tool puts in front of the workload.
tool_prefix() {
    case $1 in
    native) echo "" ;;
    fdscope-bpf) echo "$fdscope trace --engine bpf --quiet --" ;;
    fdscope-bpf-nostacks) echo "$fdscope trace --engine bpf --no-stacks --quiet --" ;;
    fdscope-ptrace) echo "$fdscope trace --engine ptrace --quiet --" ;;
    fdscope-ptrace-nostacks) echo "$fdscope trace --engine ptrace --no-stacks --quiet --" ;;
    fdscope-preload) echo "$fdscope trace --engine preload --quiet --" ;;
    strace) echo "strace -f -o /dev/null" ;;
    strace-seccomp) echo "strace -f --seccomp-bpf -e trace=%desc,%net -o /dev/null" ;;
    valgrind) echo "valgrind -q --track-fds=yes" ;;
    esac
}

is_slow() { case $1 in strace | strace-seccomp | valgrind | fdscope-ptrace*) return 0 ;; esac; return 1; }

# Why a tool cannot run here ("" when it can).
unavailable() {
    case $1 in
    fdscope-*)
        [ -x "$fdscope" ] || { echo "$fdscope is not built"; return; }
        local engine=${1#fdscope-}
        engine=${engine%-nostacks}
        local err
        if ! err=$("$fdscope" trace --engine "$engine" --quiet -- /bin/true 2>&1 > /dev/null); then
            echo "fdscope trace --engine $engine: $(echo "$err" | head -1)"
        fi ;;
    strace | strace-seccomp) command -v strace > /dev/null || echo "strace is not installed" ;;
    valgrind) command -v valgrind > /dev/null || echo "valgrind is not installed" ;;
    esac
}

run_one() {  # tool workload rep
    local tool=$1 w=$2 rep=$3
    if [ "$w" = accept ]; then
        rm -f "$fifo"
        mkfifo "$fifo"
        timeout 600 "$fixtures/bench_connect_fp" "$fifo" 10000 &
        client=$!
    fi
    # shellcheck disable=SC2046
    python3 "$measure" run -- $(tool_prefix "$tool") $(workload_cmd "$w") |
        python3 -c 'import json,sys; r=json.load(sys.stdin); r.update(tool=sys.argv[1], workload=sys.argv[2], rep=int(sys.argv[3])); print(json.dumps(r))' \
            "$tool" "$w" "$rep" >> "$results"
    if [ -n "$client" ]; then
        wait "$client" || echo "trace.sh: the accept client failed under $tool" >&2
        client=
    fi
}

IFS=, read -r -a tool_list <<< "$tools"
IFS=, read -r -a workload_list <<< "$workloads"
runnable=()
for t in "${tool_list[@]}"; do
    why=$(unavailable "$t")
    if [ -n "$why" ]; then
        echo "$t	$why" >> "$skipped"
    else
        runnable+=("$t")
    fi
done

for w in "${workload_list[@]}"; do
    n=${#runnable[@]}
    for rep in $(seq 1 "$reps"); do
        for k in $(seq 0 $((n - 1))); do
            t=${runnable[$(((k + rep) % n))]}
            if is_slow "$t" && [ "$rep" -gt "$slow_reps" ]; then continue; fi
            echo "trace.sh: $w $t run $rep" >&2
            run_one "$t" "$w" "$rep"
        done
    done
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$skipped" "$reps" "$slow_reps" > "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
skipped = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]) if l.strip()]
print(f"`fdscope trace` vs strace and valgrind: median wall of {sys.argv[3]} runs "
      f"({sys.argv[4]} for strace, valgrind and the ptrace engine), ratios of medians.\n")
for w in dict.fromkeys(r["workload"] for r in rows):
    rs = [r for r in rows if r["workload"] == w]
    med = {}
    for t in dict.fromkeys(r["tool"] for r in rs):
        tr = [r for r in rs if r["tool"] == t]
        med[t] = {
            "wall": statistics.median(r["wall_s"] for r in tr),
            "rss": statistics.median(r["maxrss_kib"] for r in tr) / 1024,
            "n": len(tr),
            "failed": sum(1 for r in tr if r["status"] != 0),
            "stderr": next((r["stderr"] for r in tr if r["stderr"]), []),
        }
    def ratio(t, ref):
        return f"{med[t]['wall'] / med[ref]['wall']:.3f}" if ref in med and med[ref]["wall"] else "n/a"
    print(f"## {w}\n")
    print("| tool | median wall (s) | × native | × strace | × valgrind | × fdscope-ptrace | × fdscope-bpf | peak RSS (MiB) | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t, m in med.items():
        print(f"| {t} | {m['wall']:.3f} | {ratio(t, 'native')} | {ratio(t, 'strace')} | {ratio(t, 'valgrind')} "
              f"| {ratio(t, 'fdscope-ptrace')} | {ratio(t, 'fdscope-bpf')} | {m['rss']:.1f} | {m['failed']}/{m['n']} |")
    notes = [f"- {t}: {' / '.join(m['stderr'])}" for t, m in med.items() if m["stderr"] and m["failed"]]
    if notes:
        print("\nstderr of failed runs:\n")
        print("\n".join(notes))
    print()
if skipped:
    print("Skipped:\n")
    for t, why in skipped:
        print(f"- {t}: {why}")
PY
cat "$out"
