#!/usr/bin/env bash
# Compares fdscope with lsof and lsfd on a machine-sized fd population.
#
# Starts build/fixtures/bench_population (P processes x F fds of a realistic
# mix), keeps its stdin open through a FIFO until the end, and runs each
# tool REPS times (the order alternates every repetition), measuring wall
# time and the peak RSS of the tool itself (bench/measure.py drains the
# tool's stdout and reads ru_maxrss from wait4). Prints a table of medians
# and the fdscope/lsof and fdscope/lsfd ratios, and writes the same Markdown
# to bench/out/latest.md. Builds nothing: run `make build` first.
#
# Usage: bench/run.sh [--tools LIST] [--reps N] [--processes P] [--fds F]
#                     [--warmup N] [--build DIR] [--population PATH] [--out FILE]
#   --tools  comma-separated, from: fdscope, fdscope-json, fdscope-desc,
#            fdscope-summary (procfs backend), fdscope-bpf, fdscope-bpf-json,
#            fdscope-bpf-desc, fdscope-bpf-summary (BPF backend),
#            fdscope-account, fdscope-bpf-account, lsof, lsfd; one process
#            (a child of the population, -p): fdscope-pid (auto),
#            fdscope-procfs-pid, fdscope-bpf-pid, lsof-pid, lsfd-pid
#            (default: fdscope, fdscope-json, fdscope-bpf, fdscope-bpf-json,
#            lsof, lsfd)
# Run as root to see every process (as lsof/lsfd would need too).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
tools=fdscope,fdscope-json,fdscope-bpf,fdscope-bpf-json,lsof,lsfd
reps=5
procs=100
fds=2000
warmup=1
population=
out=$root/bench/out/latest.md

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --tools) tools=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --processes) procs=$2; shift 2 ;;
    --fds) fds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --population) population=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
population=${population:-$build/fixtures/bench_population}
measure=$root/bench/measure.py

# The command line each tool name stands for.
tool_cmd() {
    case $1 in
    fdscope) echo "$build/fdscope ls --backend procfs" ;;
    fdscope-json) echo "$build/fdscope ls --backend procfs --json" ;;
    fdscope-summary) echo "$build/fdscope --backend procfs" ;;
    fdscope-desc) echo "$build/fdscope ls --backend procfs -o command,pid,user,fd,kind,mode,cloexec,desc,name" ;;
    fdscope-bpf) echo "$build/fdscope ls --backend bpf" ;;
    fdscope-bpf-json) echo "$build/fdscope ls --backend bpf --json" ;;
    fdscope-bpf-summary) echo "$build/fdscope --backend bpf" ;;
    fdscope-bpf-desc) echo "$build/fdscope ls --backend bpf -o command,pid,user,fd,kind,mode,cloexec,desc,name" ;;
    fdscope-account) echo "$build/fdscope account --backend procfs" ;;
    fdscope-bpf-account) echo "$build/fdscope account --backend bpf" ;;
    lsof) echo "lsof -n -P" ;;
    lsfd) echo "lsfd" ;;
    # @PID@: replaced by one child of the population when the tool runs.
    fdscope-pid) echo "$build/fdscope ls -p @PID@" ;;
    fdscope-procfs-pid) echo "$build/fdscope ls --backend procfs -p @PID@" ;;
    fdscope-bpf-pid) echo "$build/fdscope ls --backend bpf -p @PID@" ;;
    lsof-pid) echo "lsof -n -P -p @PID@" ;;
    lsfd-pid) echo "lsfd -p @PID@" ;;
    *) return 1 ;;
    esac
}

IFS=, read -r -a tool_list <<<"$tools"
for t in "${tool_list[@]}"; do
    cmd=$(tool_cmd "$t") || { echo "run.sh: unknown tool '$t'" >&2; exit 2; }
    exe=${cmd%% *}
    if ! command -v "$exe" >/dev/null 2>&1; then
        echo "run.sh: $t needs $exe, which is missing (build first, or pick --tools)" >&2
        exit 1
    fi
done
if [ ! -x "$population" ]; then
    echo "run.sh: $population is missing (make build, or --population PATH)" >&2
    exit 1
fi
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt $((fds + 64)) ]; then
    echo "run.sh: hard RLIMIT_NOFILE $(ulimit -Hn) is too low for --fds $fds" >&2
    exit 1
fi

tmp=$(mktemp -d /tmp/fdscope-bench.XXXXXX)
pop_pid=

# Closing the FIFO's write end is the population's signal to kill its
# children and exit; SIGKILL (children follow by PDEATHSIG) if it does not
# within 10 s.
cleanup() {
    set +e
    exec 3>&- 4<&-
    if [ -n "$pop_pid" ]; then
        for _ in $(seq 200); do
            state=$(awk '{print $3}' "/proc/$pop_pid/stat" 2>/dev/null)
            [ -z "$state" ] || [ "$state" = Z ] && break
            sleep 0.05
        done
        if [ -n "$state" ] && [ "$state" != Z ]; then
            echo "run.sh: population did not exit on EOF; killing it" >&2
            kill -KILL "$pop_pid" 2>/dev/null
        fi
        wait "$pop_pid" 2>/dev/null
        pop_pid=
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkfifo "$tmp/in" "$tmp/out"
echo "starting population: $procs processes x $fds fds ..." >&2
# Its own session: a Ctrl-C or SIGTERM sent to our process group must not
# kill it before it has removed its files (setsid does not fork here: a
# background job of a non-interactive shell is not a group leader).
setsid "$population" "$procs" "$fds" <"$tmp/in" >"$tmp/out" 2>"$tmp/population.err" &
pop_pid=$!
# Same order as the child's redirections (in, then out), so neither blocks.
exec 3>"$tmp/in" 4<"$tmp/out"
if ! IFS= read -r -t 600 -u 4 facts; then
    echo "run.sh: population did not become ready:" >&2
    cat "$tmp/population.err" >&2
    exit 1
fi
exec 4<&-
fds_total=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["fds_total"])' "$facts")
one_pid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["children"][0])' "$facts")
file_nr=$(tr '\t' ' ' </proc/sys/fs/file-nr)
echo "population ready: pid $pop_pid, $fds_total fds; file-nr: $file_nr" >&2

results=$tmp/results.jsonl
: >"$results"
run_one() {  # tool rep (rep 0 is a warm-up run: shown, not recorded)
    local t=$1 rep=$2 cmd line
    cmd=$(tool_cmd "$t")
    cmd=${cmd//@PID@/$one_pid}
    # shellcheck disable=SC2086  # the command line is split on purpose
    line=$(python3 "$measure" run -- $cmd 3>&-)
    python3 - "$line" "$t" "$cmd" "$rep" "$results" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
tool, cmd, rep, results = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
label = "warm-up" if rep == 0 else f"rep {rep}"
print(f"  {tool:>13} {label:>7}: {r['wall_s']:.3f} s, {r['maxrss_kib'] / 1024:.1f} MiB, "
      f"{r['lines']} lines, status {r['status']}", file=sys.stderr)
if rep > 0:
    r.update(tool=tool, command=cmd, rep=rep)
    with open(results, "a") as f:
        f.write(json.dumps(r) + "\n")
PY
}

for ((w = 1; w <= warmup; w++)); do
    for t in "${tool_list[@]}"; do run_one "$t" 0; done
done
for ((r = 1; r <= reps; r++)); do
    order=("${tool_list[@]}")
    if ((r % 2 == 0)); then
        order=()
        for ((i = ${#tool_list[@]} - 1; i >= 0; i--)); do order+=("${tool_list[$i]}"); done
    fi
    for t in "${order[@]}"; do run_one "$t" "$r"; done
done

versions=$(
    for t in "${tool_list[@]}"; do
        case $t in
        lsof) printf 'lsof %s; ' "$(lsof -v 2>&1 | awk '/revision:/ {print $2; exit}')" ;;
        lsfd) printf '%s; ' "$(lsfd --version 2>&1 | head -1)" ;;
        fdscope) printf 'fdscope %s; ' "$("$build/fdscope" --version 2>/dev/null | head -1)" ;;
        esac
    done
)
python3 - "$tmp/meta.json" <<PY
import json, sys
json.dump({
    "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "kernel": "Linux $(uname -r)",
    "cpus": $(nproc),
    "mem": "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)",
    "processes": $procs,
    "fds_per_child": $fds,
    "fds_total": $fds_total,
    "file_nr": "$file_nr",
    "reps": $reps,
    "warmup": $warmup,
    "versions": """$versions""".strip("; "),
}, open(sys.argv[1], "w"))
PY
echo >&2
python3 "$measure" report "$results" --meta "$tmp/meta.json" --out "$out"
echo >&2
echo "written to $out" >&2
