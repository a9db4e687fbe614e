#!/usr/bin/env python3
"""Every system call `fdscope serve` makes is allowed by the unit's filter.

  syscall_filter_test.py UNIT FDSCOPE_BIN

Runs fdscope serve under strace -f with every collector on, scrapes it in
both formats and lets its 1 s sampler tick a few times, then checks each
system call seen against the unit's SystemCallFilter= lines (expanded with
`systemd-analyze syscall-filter`). A call outside the filter would get
EPERM under systemd (SystemCallErrorNumber=EPERM): a collector that fails
only when installed. Exit 77 (skipped) without strace or systemd-analyze.
"""
import os, re, shutil, signal, subprocess, sys, tempfile, time

unit, fdscope = sys.argv[1], sys.argv[2]
for tool in ("strace", "systemd-analyze", "curl"):
    if not shutil.which(tool):
        print(f"SKIP: {tool} is not installed")
        sys.exit(77)

groups = {}


def expand(name):
    """The system calls of a name: a group (@...) recursively, else itself."""
    if not name.startswith("@"):
        return {name}
    if name not in groups:
        out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=True).stdout
        calls = set()
        for line in out.splitlines()[1:]:
            word = line.strip()
            if word and not word.startswith("#"):
                calls |= expand(word)
        groups[name] = calls
    return groups[name]


# SystemCallFilter= lines: an allow list, then ~ lines take away.
allowed = set()
for line in open(unit):
    m = re.match(r"SystemCallFilter=(~?)(.*)", line.strip())
    if not m:
        continue
    names = set().union(*(expand(w) for w in m.group(2).split()))
    allowed = allowed - names if m.group(1) else allowed | names
if not allowed:
    print(f"FAIL: {unit} has no SystemCallFilter= allow list")
    sys.exit(1)

tmp = tempfile.mkdtemp(prefix="fdscope-syscalls-")
try:
    trace, err_path = os.path.join(tmp, "trace"), os.path.join(tmp, "err")
    err = open(err_path, "w+")
    argv = ["strace", "-f", "-qq", "-e", "signal=none", "-o", trace, "--", fdscope, "serve",
            "--web.listen-address=127.0.0.1:0", "--collector.account", "--collector.kinds", "--collector.audit"]
    st = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
    port = None
    deadline = time.monotonic() + 30
    while port is None and time.monotonic() < deadline and st.poll() is None:
        err.seek(0)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/metrics", err.read())
        port = int(m.group(1)) if m else None
        if port is None:
            time.sleep(0.1)
    child = None
    try:
        if port is None:
            err.seek(0)
            print("FAIL: fdscope serve under strace did not say where it listens:\n" + err.read()[-2000:])
            sys.exit(1)
        kids = subprocess.run(["pgrep", "-P", str(st.pid)], capture_output=True, text=True).stdout.split()
        child = int(kids[0]) if kids else None
        for accept in ("application/openmetrics-text;version=1.0.0", "text/plain;version=0.0.4"):
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "--compressed", "-H", "Accept: " + accept,
                            f"http://127.0.0.1:{port}/metrics"], check=True)
        # Three of the sampler's 1 s ticks, then one more scrape.
        time.sleep(3)
        subprocess.run(["curl", "-sS", "-o", "/dev/null", f"http://127.0.0.1:{port}/metrics"], check=True)
    finally:
        if child:
            os.kill(child, signal.SIGTERM)  # strace exits with its tracee
        try:
            st.wait(20)
        except subprocess.TimeoutExpired:
            st.kill()
            st.wait()
            if child:
                os.kill(child, signal.SIGKILL)
    seen = {}
    for line in open(trace):
        m = re.match(r"\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]", line)
        if m:
            seen.setdefault(m.group(1), line.strip())
    outside = {name: example for name, example in seen.items() if name not in allowed}
    print(f"{len(seen)} distinct system calls seen, {len(allowed)} allowed by {os.path.basename(unit)}")
    for name, example in sorted(outside.items()):
        print(f"FAIL: {name} is outside SystemCallFilter=: {example}")
    sys.exit(1 if outside else 0)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
