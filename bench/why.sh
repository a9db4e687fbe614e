#!/usr/bin/env bash
# `fdscope why` against what a person runs by hand for the same question:
# namei -l (the walk), getfacl (the ACL of every component), lsattr (inode
# flags), findmnt -T (the mount) and stat (the object), one after another.
#
# Builds a typical path, /tmp/fdscope-why-bench.*/srv/app/data/x.db with
# /srv/app 0700 (search denied for nobody), and times REPS runs of each
# (alternating), with bench/measure.py (wall time of the whole command).
# Prints medians and the ratio, and writes the Markdown to bench/out/why.md.
# fdscope is timed with the kernel probe (the default) and with --no-probe.
# Builds nothing: run `make build` first. Run as root (the -u subject).
#
# Usage: bench/why.sh [--reps N] [--build DIR] [--out FILE]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
reps=21
out=$root/bench/out/why.md
while [ $# -gt 0 ]; do
    case $1 in
    --reps) reps=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "why.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
for t in namei getfacl lsattr findmnt stat; do
    command -v "$t" > /dev/null || { echo "why.sh: $t is not installed" >&2; exit 1; }
done

tree=$(mktemp -d /tmp/fdscope-why-bench.XXXXXX)
trap 'rm -rf "$tree" "$results"' EXIT
results=$(mktemp)
mkdir -p "$tree/srv/app/data"
echo data > "$tree/srv/app/data/x.db"
chmod 0700 "$tree/srv/app"
path=$tree/srv/app/data/x.db

# By hand: the walk, every component's ACL, the flags, the mount, the object.
components=$(p=$path; while [ "$p" != / ]; do echo "$p"; p=$(dirname "$p"); done; echo /)
by_hand="namei -l '$path'; getfacl -p $(echo $components | tr '\n' ' ') ; lsattr -d '$path'; findmnt -T '$path'; stat '$path'"

cmd_of() {
    case $1 in
    fdscope) echo "$build/fdscope why open $path -u nobody" ;;
    fdscope-no-probe) echo "$build/fdscope why open $path -u nobody --no-probe" ;;
    by-hand) echo "sh -c \"$by_hand\"" ;;
    esac
}
tools="fdscope fdscope-no-probe by-hand"
for rep in $(seq 1 "$reps"); do
    for t in $tools; do
        eval "set -- $(cmd_of "$t")"
        python3 "$root/bench/measure.py" run -- "$@" |
            python3 -c 'import json,sys; r=json.load(sys.stdin); r["tool"]=sys.argv[1]; print(json.dumps(r))' "$t" >> "$results"
    done
done

mkdir -p "$(dirname "$out")"
python3 - "$results" "$reps" > "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
med = {}
for t in ("fdscope", "fdscope-no-probe", "by-hand"):
    med[t] = statistics.median(r["wall_s"] for r in rows if r["tool"] == t)
print(f"`fdscope why open PATH -u nobody` vs namei -l + getfacl + lsattr + findmnt -T + stat, median of {sys.argv[2]} runs each:\n")
print("| tool | median wall | ratio to by hand |")
print("|---|---:|---:|")
for t, v in med.items():
    print(f"| {t} | {v*1000:.1f} ms | {v/med['by-hand']:.2f} |")
PY
cat "$out"
