#!/usr/bin/env bash
# What libfdscope-preload.so costs the program it is loaded into, and what
# reading its table costs fdscope:
#   openclose  100,000 open+close pairs of /dev/null, one thread
#              (build/bench/fdscope_preload_bench 100000, C at -O2);
#   threads8   8 threads doing that each (fdscope_preload_bench 100000 8);
#              both run native and with LD_PRELOAD=build/libfdscope-preload.so
#              under FDSCOPE_STACKS=fp, libunwind and none;
#   ls         `fdscope ls -p PID --json` against
#              `fdscope ls -p PID --origin --json` on a process holding
#              LS_FDS (100,000) fds (build/fixtures/flat LS_FDS) that runs the
#              library (RLIMIT_NOFILE raised to LS_FDS + 1,000 before it
#              starts, so its table has a slot for each); skipped when this
#              fdscope has no origin column or the limit cannot be raised.
# Each variant runs REPS times (5), the order rotating every repetition,
# timed by bench/measure.py (wall time of the whole command, start-up
# included; and user+sys CPU time from wait4, steadier on a busy machine).
# Prints medians and the ratios to native (to `ls` without origin for ls)
# and writes the Markdown to bench/out/preload.md.
# Builds nothing: run `make build` first. The ls workload needs root with
# CAP_SYS_RESOURCE (or a hard RLIMIT_NOFILE of LS_FDS + 1,000).
#
# Usage: bench/preload.sh [--workloads LIST] [--reps N] [--ls-fds N]
#                         [--build DIR] [--out FILE]
#   --workloads  comma-separated, from: openclose, threads8, ls (default: all)
#   --ls-fds     fds the ls workload's process holds (default: 100000)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
workloads=openclose,threads8,ls
reps=5
ls_fds=100000
out=$root/bench/out/preload.md

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --workloads) workloads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --ls-fds) ls_fds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "preload.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
measure=$root/bench/measure.py
lib=$build/libfdscope-preload.so
bench=$build/bench/fdscope_preload_bench
flat=$build/fixtures/flat
fdscope=$build/fdscope
for f in "$lib" "$bench" "$flat" "$fdscope"; do
    [ -e "$f" ] || { echo "preload.sh: $f is missing: run make build" >&2; exit 1; }
done

work=$(mktemp -d /tmp/fdscope-preload-bench.XXXXXX)
holder=
cleanup() {
    if [ -n "$holder" ]; then
        exec 7>&- || true
        kill "$holder" 2> /dev/null || true
        wait "$holder" 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
results=$work/results.jsonl
skipped=$work/skipped.txt
: > "$results"
: > "$skipped"

# The environment prefix of each variant.
variant_prefix() {
    case $1 in
    native) echo "env -u LD_PRELOAD" ;;
    fp) echo "env LD_PRELOAD=$lib FDSCOPE_STACKS=fp" ;;
    libunwind) echo "env LD_PRELOAD=$lib FDSCOPE_STACKS=libunwind" ;;
    none) echo "env LD_PRELOAD=$lib FDSCOPE_STACKS=none" ;;
    esac
}

record() {  # workload variant rep -- CMD...
    local w=$1 v=$2 rep=$3
    shift 4
    python3 "$measure" run -- "$@" |
        python3 -c 'import json,sys; r=json.load(sys.stdin); r.update(workload=sys.argv[1], variant=sys.argv[2], rep=int(sys.argv[3])); print(json.dumps(r))' \
            "$w" "$v" "$rep" >> "$results"
}

IFS=, read -r -a workload_list <<< "$workloads"
for w in "${workload_list[@]}"; do
    case $w in
    openclose | threads8)
        args="100000"
        [ "$w" = threads8 ] && args="100000 8"
        variants=(native fp libunwind none)
        n=${#variants[@]}
        for rep in $(seq 1 "$reps"); do
            for k in $(seq 0 $((n - 1))); do
                v=${variants[$(((k + rep) % n))]}
                echo "preload.sh: $w $v run $rep" >&2
                # shellcheck disable=SC2046,SC2086
                record "$w" "$v" "$rep" -- $(variant_prefix "$v") "$bench" $args
            done
        done ;;
    ls)
        if "$fdscope" ls -p $$ -o fd,kind,name,origin > /dev/null 2>&1; then :; else
            echo "ls	this fdscope has no origin column (fdscope ls -o ...,origin failed)" >> "$skipped"
            continue
        fi
        limit=$((ls_fds + 1000))
        if ! (ulimit -n "$limit") 2> /dev/null; then
            echo "ls	cannot raise RLIMIT_NOFILE to $limit (hard limit $(ulimit -Hn); needs CAP_SYS_RESOURCE): try --ls-fds $(($(ulimit -Hn) - 1000))" >> "$skipped"
            continue
        fi
        mkfifo "$work/in" "$work/facts"
        (ulimit -n "$limit" && exec env LD_PRELOAD="$lib" "$flat" "$ls_fds" < "$work/in" > "$work/facts") &
        holder=$!
        exec 7> "$work/in"
        read -r facts < "$work/facts"
        pid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$facts")
        count=$(ls "/proc/$pid/fd" | wc -l)
        echo "preload.sh: ls on pid $pid holding $count fds" >&2
        echo "$count" > "$work/ls_count"
        variants=(plain origin)
        for rep in $(seq 1 "$reps"); do
            for k in 0 1; do
                v=${variants[$(((k + rep) % 2))]}
                echo "preload.sh: ls $v run $rep" >&2
                if [ "$v" = plain ]; then
                    record ls plain "$rep" -- "$fdscope" ls -p "$pid" --json
                else
                    record ls origin "$rep" -- "$fdscope" ls -p "$pid" --origin --json
                fi
            done
        done
        exec 7>&-
        wait "$holder" || true
        holder= ;;
    *) echo "preload.sh: unknown workload $w" >&2; exit 2 ;;
    esac
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$skipped" "$reps" "$(cat "$work/ls_count" 2> /dev/null || echo 0)" > "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
skipped = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]) if l.strip()]
print(f"libfdscope-preload.so: median wall of {sys.argv[3]} runs, ratios of medians.\n")
titles = {"openclose": "openclose: 100,000 open+close of /dev/null, 1 thread",
          "threads8": "threads8: 8 threads x 100,000 open+close of /dev/null",
          "ls": f"ls: fdscope ls -p PID --json on a process with {int(sys.argv[4]):,} fds, without and with --origin"}
for w in dict.fromkeys(r["workload"] for r in rows):
    rs = [r for r in rows if r["workload"] == w]
    ref = "plain" if w == "ls" else "native"
    med = {}
    order = ["native", "fp", "libunwind", "none", "plain", "origin"]
    for v in sorted(dict.fromkeys(r["variant"] for r in rs), key=lambda x: order.index(x) if x in order else 99):
        vr = [r for r in rs if r["variant"] == v]
        med[v] = {"wall": statistics.median(r["wall_s"] for r in vr),
                  "cpu": statistics.median(r["user_s"] + r["sys_s"] for r in vr),
                  "rss": statistics.median(r["maxrss_kib"] for r in vr) / 1024,
                  "n": len(vr), "failed": sum(1 for r in vr if r["status"] != 0),
                  "stderr": next((r["stderr"] for r in vr if r["stderr"]), [])}
    print(f"## {titles.get(w, w)}\n")
    print(f"| variant | median wall (s) | x {ref} | median user+sys (s) | x {ref} | peak RSS (MiB) | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    def ratio(v, key):
        return f"{med[v][key] / med[ref][key]:.2f}" if ref in med and med[ref][key] else "n/a"
    for v, m in med.items():
        print(f"| {v} | {m['wall']:.3f} | {ratio(v, 'wall')} | {m['cpu']:.3f} | {ratio(v, 'cpu')} "
              f"| {m['rss']:.1f} | {m['failed']}/{m['n']} |")
    notes = [f"- {v}: {' / '.join(m['stderr'])}" for v, m in med.items() if m["stderr"] and m["failed"]]
    if notes:
        print("\nstderr of failed runs:\n")
        print("\n".join(notes))
    print()
if skipped:
    print("Skipped:\n")
    for w, why in skipped:
        print(f"- {w}: {why}")
PY
cat "$out"
