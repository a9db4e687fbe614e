#!/usr/bin/env python3
"""The unit's capabilities are enough for every collector, and needed.

  unit_capabilities_test.py UNIT FDSCOPE_BIN

Runs fdscope serve as an unprivileged user (as DynamicUser= would) with
exactly the unit's AmbientCapabilities= as its ambient, inheritable and
bounding sets and no_new_privs (setpriv), every collector on: it may skip
for permission only the processes root itself cannot read (a run as root
says how many: here the sandbox's pid 1 refuses even root), and every
collector must succeed. Then the same without any capability, and with
CAP_DAC_READ_SEARCH alone (fd numbers listed, links refused): processes are
skipped for permission (so the first run proves the capabilities, not a
lenient machine, and a half-privileged exporter says what it missed).
Needs root and setpriv; exit 77 (skipped) otherwise.
"""
import os, re, shutil, subprocess, sys, tempfile, time

unit, fdscope = sys.argv[1], os.path.abspath(sys.argv[2])
if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("curl"):
    print("SKIP: needs root, setpriv and curl")
    sys.exit(77)
caps = []
for line in open(unit):
    m = re.match(r"AmbientCapabilities=(.*)", line.strip())
    if m:
        caps += [c.lower().removeprefix("cap_") for c in m.group(1).split()]
if not caps:
    print(f"FAIL: {unit} has no AmbientCapabilities=")
    sys.exit(1)
UID = "61234"  # any unprivileged uid no file here belongs to


def scrape_as(capabilities, as_root=False):
    """The exposition of a serve run with these capabilities (or as root),
    once account and audit have reported."""
    capset = ",".join(["-all"] + [f"+{c}" for c in capabilities])
    tmp = tempfile.mkdtemp(prefix="fdscope-caps-")
    err = open(os.path.join(tmp, "err"), "w+")
    serve = [fdscope, "serve", "--web.listen-address=127.0.0.1:0", "--collector.kinds", "--collector.account",
             "--collector.audit"]
    argv = serve if as_root else ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", f"--inh-caps={capset}",
                                  f"--ambient-caps={capset}", f"--bounding-set={capset}", "--no-new-privs", "--"] + serve
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd="/")
    try:
        deadline = time.monotonic() + 60
        port = None
        while time.monotonic() < deadline and p.poll() is None:
            err.seek(0)
            text = err.read()
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/metrics", text)
            if m:
                port = m.group(1)
                body = subprocess.run(["curl", "-sS", f"http://127.0.0.1:{port}/metrics"], capture_output=True,
                                      text=True).stdout
                if re.search(r"^fdscope_account_timestamp_seconds ", body, re.M) and \
                        re.search(r"^fdscope_audit_timestamp_seconds ", body, re.M):
                    return body
            time.sleep(0.2)
        err.seek(0)
        raise SystemExit(f"FAIL: serve with {capabilities or 'no capabilities'} gave no account and audit "
                         f"within 60 s (port {port}): {err.read()[-1000:]}")
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def value(body, sample):
    m = re.search(r"^" + re.escape(sample) + r" (\S+)$", body, re.M)
    return float(m.group(1)) if m else None


fails = []
root_denied = value(scrape_as([], as_root=True), 'fdscope_processes_skipped{reason="permission"}')
with_caps = scrape_as(caps)
if value(with_caps, 'fdscope_processes_skipped{reason="permission"}') != root_denied:
    fails.append("with " + " ".join(caps) + f" (root skips {root_denied}): " +
                 str(re.findall(r"^fdscope_processes_skipped.*$", with_caps, re.M)))
for line in re.findall(r"^fdscope_scrape_collector_success\{.*$", with_caps, re.M):
    if not line.endswith(" 1"):
        fails.append(f"with {' '.join(caps)}: {line}")
# Every listed process belongs to another user (root): their fds by kind
# need both capabilities (readlink of /proc/PID/fd/N); with
# CAP_DAC_READ_SEARCH alone they are counted as skipped for permission
# (checked below), not shown as processes without fds.
if not re.search(r"^fdscope_process_open_fds_by_kind\{", with_caps, re.M):
    fails.append(f"with {' '.join(caps)}: no fdscope_process_open_fds_by_kind series")
for collector in ("processes", "kinds", "account", "audit"):
    if value(with_caps, f'fdscope_scrape_collector_success{{collector="{collector}"}}') != 1:
        fails.append(f"collector {collector} missing or failed")
without = scrape_as([])
skipped = value(without, 'fdscope_processes_skipped{reason="permission"}')
if not skipped or skipped <= root_denied:
    fails.append(f"without capabilities nothing more was skipped for permission ({skipped}): the check proves nothing here")
half = value(scrape_as(["dac_read_search"]), 'fdscope_processes_skipped{reason="permission"}')
if not half or half <= root_denied:
    fails.append(f"with dac_read_search alone the unreadable links were not counted as skipped ({half})")
kinds = len(re.findall(r"^fdscope_process_open_fds_by_kind\{", with_caps, re.M))
denied = value(with_caps, 'fdscope_processes_skipped{reason="permission"}')
print(f"as root: {root_denied} skipped for permission; with {' '.join(caps)}: {denied}, {kinds} by-kind series; "
      f"with dac_read_search alone: {half}; without: {skipped}")
for f in fails:
    print("FAIL: " + f)
sys.exit(1 if fails else 0)
