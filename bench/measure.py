#!/usr/bin/env python3
"""Measurement helper for bench/run.sh.

  measure.py run -- CMD [ARG...]
      Runs CMD with stdin from /dev/null and its stdout connected to a pipe
      that this script drains itself (so no `cat` is measured), then reaps it
      with os.wait4(). Prints one JSON line: {"wall_s", "user_s", "sys_s",
      "maxrss_kib", "rss_method", "status", "bytes", "lines", "stderr"}.
      user/sys come from wait4's rusage. stderr holds CMD's first lines there.

      Peak RSS: ru_maxrss of a process that was fork()ed from this Python
      counts the pages the fork copied (~14 MiB of interpreter) even though
      exec() replaces them, because the kernel carries the old mm's high-water
      mark into the exec'd program. So when GNU time is installed CMD runs as
      `/usr/bin/time -o FILE -f %M -- CMD`: time forks CMD from a ~1 MiB
      process and reports CMD's own ru_maxrss ("rss_method": "gnu-time").
      Without it the wait4 value is used ("rss_method": "wait4"), which
      cannot read below the interpreter's size. `measure.py floor` prints
      the floor of the method in use (the peak RSS reported for `true`).

  measure.py report RESULTS.jsonl --meta META.json --out FILE.md
      Reads the records run.sh collected (one JSON object per line: tool,
      command, rep and the fields above), prints a table of medians and the
      fdscope/lsof and fdscope/lsfd ratios, and writes the same as Markdown.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


GNU_TIME = "/usr/bin/time"


def have_gnu_time():
    if not os.access(GNU_TIME, os.X_OK):
        return False
    r = subprocess.run([GNU_TIME, "--version"], capture_output=True, text=True)
    return "GNU" in r.stdout + r.stderr


def measure(argv):
    use_time = have_gnu_time()
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile(mode="r") as rss_file:
        cmd = [GNU_TIME, "-o", rss_file.name, "-f", "%M", "--"] + argv if use_time else argv
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, close_fds=True)
        fd = proc.stdout.fileno()
        # A 1 MiB pipe (the default is 64 KiB): the harness's reads and the
        # tool's writes cost fewer switches per byte, the same for every tool.
        try:
            import fcntl
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        except OSError:
            pass
        nbytes = nlines = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            nbytes += len(chunk)
            nlines += chunk.count(b"\n")
        while True:
            try:
                _, status, ru = os.wait4(proc.pid, 0)
                break
            except InterruptedError:
                continue
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping again
        proc.stdout.close()
        err.seek(0)
        err_text = err.read(4096).decode(errors="replace").strip().splitlines()[:3]
        maxrss = ru.ru_maxrss
        if use_time:
            # GNU time writes "Command exited with non-zero status N" (or
            # "...terminated by signal N") before the format line.
            lines = [l for l in rss_file.read().splitlines() if l.strip()]
            if lines and lines[-1].strip().isdigit():
                maxrss = int(lines[-1])
            else:
                use_time = False
    return {
        "wall_s": round(wall, 6),
        "user_s": round(ru.ru_utime, 6),
        "sys_s": round(ru.ru_stime, 6),
        "maxrss_kib": maxrss,
        "rss_method": "gnu-time" if use_time else "wait4",
        "status": proc.returncode,
        "bytes": nbytes,
        "lines": nlines,
        "stderr": err_text,
    }


def run(argv):
    print(json.dumps(measure(argv)))


def fmt_ratio(a, b):
    return f"{a / b:.3f}" if a is not None and b else "n/a"


def report(results_path, meta_path, out_path):
    with open(meta_path) as f:
        meta = json.load(f)
    records = []
    with open(results_path) as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
    tools = []
    for r in records:
        if r["tool"] not in tools:
            tools.append(r["tool"])
    rows = {}
    for t in tools:
        rs = [r for r in records if r["tool"] == t]
        walls = [r["wall_s"] for r in rs]
        rss = [r["maxrss_kib"] for r in rs]
        rows[t] = {
            "command": rs[0]["command"],
            "n": len(rs),
            "wall": statistics.median(walls),
            "wall_min": min(walls),
            "wall_max": max(walls),
            "cpu": statistics.median(r["user_s"] + r["sys_s"] for r in rs),
            "rss_mib": statistics.median(rss) / 1024,
            "rss_max_mib": max(rss) / 1024,
            "lines": statistics.median(r["lines"] for r in rs),
            "failed": sum(1 for r in rs if r["status"] != 0),
            "stderr": next((r["stderr"] for r in rs if r["stderr"]), []),
        }

    out = []
    out.append("# fdscope benchmark")
    out.append("")
    out.append(f"- date: {meta.get('date')}")
    out.append(f"- machine: {meta.get('kernel')}, {meta.get('cpus')} CPUs, {meta.get('mem')}")
    out.append(f"- population: {meta.get('processes')} processes x {meta.get('fds_per_child')} fds "
               f"(+ stdio) = {meta.get('fds_total')} fds in the population; "
               f"/proc/sys/fs/file-nr once it was ready: {meta.get('file_nr')}")
    out.append(f"- repetitions: {meta.get('reps')} per tool (order alternates each repetition), "
               f"{meta.get('warmup')} warm-up run(s) not counted")
    out.append(f"- versions: {meta.get('versions')}")
    floor = measure(["true"])
    out.append(f"- peak RSS measured with {floor['rss_method']}; floor of the method "
               f"(`true`): {floor['maxrss_kib'] / 1024:.1f} MiB")
    out.append("")
    out.append("| tool | command | median wall (s) | min–max (s) | median CPU (s) | median peak RSS (MiB) "
               "| max peak RSS (MiB) | output lines | failed runs |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for t, r in rows.items():
        out.append(f"| {t} | `{r['command']}` | {r['wall']:.3f} | {r['wall_min']:.3f}–{r['wall_max']:.3f} "
                   f"| {r['cpu']:.3f} | {r['rss_mib']:.1f} | {r['rss_max_mib']:.1f} | {int(r['lines'])} "
                   f"| {r['failed']}/{r['n']} |")
    ratio_lines = []
    for f in [t for t in rows if t.startswith("fdscope")]:
        # One process against the same tools' one-process runs.
        refs = ("lsof-pid", "lsfd-pid") if f.endswith("-pid") else ("lsof", "lsfd")
        for ref in refs:
            if ref in rows:
                ratio_lines.append(f"| {f} / {ref} | {fmt_ratio(rows[f]['wall'], rows[ref]['wall'])} "
                                   f"| {fmt_ratio(rows[f]['rss_mib'], rows[ref]['rss_mib'])} |")
        # JSON against the table run of the same backend (fdscope-json / fdscope).
        if f.endswith("-json") and f[: -len("-json")] in rows:
            ref = f[: -len("-json")]
            ratio_lines.append(f"| {f} / {ref} | {fmt_ratio(rows[f]['wall'], rows[ref]['wall'])} "
                               f"| {fmt_ratio(rows[f]['rss_mib'], rows[ref]['rss_mib'])} |")
    if ratio_lines:
        out.append("")
        out.append("| ratio (median) | wall time | peak RSS |")
        out.append("|---|---:|---:|")
        out.extend(ratio_lines)
    else:
        out.append("")
        out.append("(no fdscope run: no ratios)")
    notes = [f"- {t} stderr: {' / '.join(r['stderr'])}" for t, r in rows.items() if r["stderr"]]
    if notes:
        out.append("")
        out.append("Messages on stderr (first run that wrote any):")
        out.append("")
        out.extend(notes)
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        f.write(text)


def main():
    args = sys.argv[1:]
    if args[:1] == ["run"]:
        args = args[1:]
        if args[:1] == ["--"]:
            args = args[1:]
        if not args:
            sys.exit("measure.py run: no command")
        run(args)
    elif args[:1] == ["floor"]:
        r = measure(["true"])
        print(f"{r['maxrss_kib']} KiB ({r['rss_method']})")
    elif args[:1] == ["report"] and len(args) == 6 and args[2] == "--meta" and args[4] == "--out":
        report(args[1], args[3], args[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
