#!/usr/bin/env bash
# `fdscope serve` against the exporters users run instead, one after the
# other on this machine as it is (or with --population P,F: bench_population's
# P processes x F fds running meanwhile):
#   fdscope         fdscope serve, defaults (1 s sampling, loopback, port 0);
#   process         Debian's prometheus-process-exporter 0.7.10, every
#                   process in a group by comm (its package's default
#                   config: name "{{.Comm}}", cmdline ".+");
#   node-filefd     Debian's prometheus-node-exporter 1.5.0 with only the
#                   filefd collector (--collector.disable-defaults
#                   --collector.filefd): what file-nr costs alone.
# For each: idle CPU (utime+stime from /proc/PID/stat over --seconds, 60,
# nobody scraping; fdscope samples every second all the same, the others
# work only when scraped), then --scrapes (51) sequential scrapes with
# Prometheus 2.42's Accept header: median and max wall of one scrape (curl's
# time_total), CPU per scrape (the process's CPU over the scrapes less its
# idle rate; /proc counts in clock ticks, so the figure is good to
# 10 ms / --scrapes), bytes and samples of one exposition, RSS after. Exporters that
# are not installed are listed as skipped. Builds nothing: `make build` first.
# Writes the Markdown table to --out (bench/out/serve.md) and prints it.
#
# Usage: bench/serve.sh [--tools LIST] [--seconds N] [--scrapes N]
#                       [--population P,F] [--build DIR] [--out FILE]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
tools=fdscope,process,node-filefd
seconds=60
scrapes=51
population=
out=$root/bench/out/serve.md

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --tools) tools=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --scrapes) scrapes=$2; shift 2 ;;
    --population) population=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "serve.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
command -v curl >/dev/null || { echo "serve.sh: needs curl" >&2; exit 1; }
[ -x "$build/fdscope" ] || { echo "serve.sh: $build/fdscope is missing (make build)" >&2; exit 1; }
mkdir -p "$(dirname "$out")"

exec python3 - "$build" "$tools" "$seconds" "$scrapes" "$population" "$out" <<'PY'
import json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

build, tools, seconds, scrapes, population, out = sys.argv[1:7]
seconds, scrapes = float(seconds), int(scrapes)
TICK = os.sysconf("SC_CLK_TCK")
ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
tmp = tempfile.mkdtemp(prefix="fdscope-serve-bench.")
started = []  # (Popen, what), stopped by pid at the end


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_listening(port, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout} s")


def start(tool):
    """(Popen, port) of a started exporter, or a reason it cannot run."""
    if tool == "fdscope":
        err = open(os.path.join(tmp, "fdscope.err"), "w+")
        p = subprocess.Popen([os.path.join(build, "fdscope"), "serve", "--web.listen-address=127.0.0.1:0"],
                             stdout=subprocess.DEVNULL, stderr=err)
        started.append((p, tool))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and p.poll() is None:
            err.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/metrics", err.read())
            if m:
                return p, int(m.group(1))
            time.sleep(0.1)
        err.seek(0)
        raise RuntimeError("fdscope serve did not say where it listens: " + err.read()[-500:])
    port = free_port()
    if tool == "process":
        exe = shutil.which("prometheus-process-exporter")
        if not exe:
            return "prometheus-process-exporter not installed (apt-get install prometheus-process-exporter)"
        cfg = os.path.join(tmp, "process-exporter.yml")
        with open(cfg, "w") as f:
            f.write('process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n      - ".+"\n')
        argv = [exe, "-config.path", cfg, "-web.listen-address", f"127.0.0.1:{port}"]
    elif tool == "node-filefd":
        exe = shutil.which("prometheus-node-exporter")
        if not exe:
            return "prometheus-node-exporter not installed (apt-get install prometheus-node-exporter)"
        argv = [exe, "--collector.disable-defaults", "--collector.filefd", f"--web.listen-address=127.0.0.1:{port}"]
    else:
        raise SystemExit(f"serve.sh: unknown tool {tool}")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, tool + ".err"), "w"))
    started.append((p, tool))
    wait_listening(port, p, tool)
    return p, port


failures = {}  # tool -> scrapes that failed (and were tried again)


def scrape(port, tool):
    for attempt in range(3):
        r = subprocess.run(["curl", "-sS", "--compressed", "-H", f"Accept: {ACCEPT}", "-o", os.path.join(tmp, "body"),
                            "-w", "%{time_total} %{content_type}", f"http://127.0.0.1:{port}/metrics"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            break
        failures[tool] = failures.get(tool, 0) + 1
        log(f"{tool}: scrape failed ({r.stderr.strip()}), again")
    else:
        raise RuntimeError(f"{tool}: three scrapes in a row failed")
    wall, ctype = r.stdout.split(" ", 1)
    with open(os.path.join(tmp, "body"), "rb") as f:
        body = f.read()
    return float(wall), ctype, body


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(tool):
    got = start(tool)
    if isinstance(got, str):
        skipped.append((tool, got))
        log(f"{tool}: skipped: {got}")
        return
    p, port = got
    for _ in range(2):  # warm-up: first scrapes build caches and histories
        scrape(port, tool)
    time.sleep(5)  # the warm-up scrapes' work is over
    c0, t0 = cpu_seconds(p.pid), time.monotonic()
    time.sleep(seconds)
    c1, t1 = cpu_seconds(p.pid), time.monotonic()
    idle_rate = (c1 - c0) / (t1 - t0)
    walls, ctype, body = [], "", b""
    c2, t2 = cpu_seconds(p.pid), time.monotonic()
    for _ in range(scrapes):
        w, ctype, body = scrape(port, tool)
        walls.append(w)
    c3, t3 = cpu_seconds(p.pid), time.monotonic()
    per_scrape = max(0.0, (c3 - c2) - idle_rate * (t3 - t2)) / scrapes
    samples = sum(1 for line in body.decode("utf-8", "replace").splitlines() if line and not line.startswith("#"))
    row = dict(tool=tool, idle_pct=100 * idle_rate, idle_cpu_s=c1 - c0, idle_s=t1 - t0,
               median_ms=1000 * statistics.median(walls), max_ms=1000 * max(walls),
               cpu_ms=1000 * per_scrape, bytes=len(body), samples=samples, ctype=ctype.split(";")[0],
               rss=rss_mib(p.pid))
    rows.append(row)
    log(f"{tool}: idle {row['idle_pct']:.2f}% of a core, scrape median {row['median_ms']:.1f} ms, "
        f"{row['cpu_ms']:.1f} ms CPU, {samples} samples")
    stop(p)


rows, skipped = [], []
pop = None
try:
    if population:
        procs, fds = population.split(",")
        pop = subprocess.Popen([os.path.join(build, "fixtures", "bench_population"), procs, fds],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        started.append((pop, "population"))
        facts = json.loads(pop.stdout.readline())
        log(f"population ready: {facts['processes']} processes, {facts['fds_total']} fds")
    nproc = sum(1 for d in os.listdir("/proc") if d.isdigit())
    file_nr = open("/proc/sys/fs/file-nr").read().split()[0]
    for tool in tools.split(","):
        try:
            measure(tool)
        except RuntimeError as e:
            # An exporter that dies mid-run is a result too (process-exporter
            # 0.7.10 panics on a comm that is not UTF-8): say why.
            err = os.path.join(tmp, tool + ".err")
            lines = open(err, errors="replace").read().splitlines() if os.path.exists(err) else []
            why = next((l for l in lines if l.startswith("panic:")), lines[-1] if lines else "")
            skipped.append((tool, f"failed: {e}" + (f"; its stderr: {why}" if why else "")))
            log(f"{tool}: {skipped[-1][1]}")
finally:
    for p, what in reversed(started):
        if what == "population" and p.poll() is None:
            p.stdin.close()  # EOF: it kills and reaps its children
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        else:
            stop(p)
    shutil.rmtree(tmp, ignore_errors=True)

load = open("/proc/loadavg").read().split()[:3]
names = {"fdscope": "fdscope serve", "process": "prometheus-process-exporter 0.7.10",
         "node-filefd": "prometheus-node-exporter 1.5.0, filefd only"}
md = [f"{nproc} processes, file-nr {file_nr}" + (f", with bench_population {population}" if population else "")
      + f"; load average {' '.join(load)} at the end; idle over {seconds:.0f} s, {scrapes} scrapes each "
      f"(CPU per scrape good to {1000 / TICK / scrapes:.1f} ms).", "",
      "| exporter | idle CPU (% of a core) | scrape wall, median (max) | CPU per scrape | exposition | samples | RSS |",
      "|---|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    md.append(f"| {names[r['tool']]} | {r['idle_pct']:.2f}% ({r['idle_cpu_s']:.2f} s in {r['idle_s']:.0f} s) | "
              f"{r['median_ms']:.1f} ms ({r['max_ms']:.1f} ms) | {r['cpu_ms']:.1f} ms | {r['bytes'] / 1024:.1f} KiB "
              f"{r['ctype']} | {r['samples']} | {r['rss']:.1f} MiB |")
for tool, n in failures.items():
    md.append(f"| {names[tool]} | {n} scrape(s) failed and were tried again (their wall time is left out, their CPU is not) | | | | | |")
for tool, why in skipped:
    md.append(f"| {names.get(tool, tool)} | skipped: {why} | | | | | |")
text = "\n".join(md) + "\n"
open(out, "w").write(text)
print(text)
PY
