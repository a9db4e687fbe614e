#!/bin/sh
# contrib/systemd/fdscope.service: `systemd-analyze verify` is clean, and
# `systemd-analyze security --offline=yes` scores it no worse than the score
# its header comment states (and docs/monitoring.md repeats). It must not
# hide the processes it exists to count: no PrivateUsers=, no
# ProtectProc=invisible, no ProcSubset=pid.
#   systemd_unit_test.sh UNIT FDSCOPE_BIN DOC
# Exit 77 (ctest: skipped) without systemd-analyze.
set -eu
unit=$1 bin=$2 doc=$3
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze is not installed (apt-get install systemd)"
  exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }

for bad in '^PrivateUsers=' '^ProtectProc=invisible' '^ProcSubset=pid'; do
  if grep -q "$bad" "$unit"; then fail "$unit sets ${bad#^}: it would hide or strip the processes fdscope counts"; fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify wants the ExecStart= binary to exist: the one just built stands in
# for /usr/bin/fdscope; --man=no because the man page is not installed here.
sed "s#^ExecStart=/usr/bin/fdscope #ExecStart=$bin #" "$unit" > "$tmp/fdscope.service"
grep -q "^ExecStart=$bin serve" "$tmp/fdscope.service" || fail "ExecStart= is not /usr/bin/fdscope serve ..."
if ! out=$(systemd-analyze verify --man=no "$tmp/fdscope.service" 2>&1) || [ -n "$out" ]; then
  fail "systemd-analyze verify: $out"
fi

stated=$(sed -n 's/^# Exposure (systemd-analyze security.*): \([0-9][0-9]*\.[0-9]\) [A-Z].*$/\1/p' "$unit" | head -n1)
[ -n "$stated" ] || fail "$unit states no systemd-analyze security score in its header"
grep -q "$stated" "$doc" || fail "$doc does not state the unit's score $stated"
report=$(systemd-analyze security --offline=yes --no-pager "$tmp/fdscope.service" 2>&1) || true
score=$(printf '%s\n' "$report" | sed -n 's/^→ Overall exposure level for fdscope.service: \([0-9][0-9]*\.[0-9]\).*/\1/p')
[ -n "$score" ] || fail "no score in systemd-analyze security's output: $report"
echo "systemd-analyze security --offline=yes: $score (stated: $stated)"
awk -v s="$score" -v t="$stated" 'BEGIN { exit !(s + 0 <= t + 0) }' || fail "score $score is worse than the stated $stated"
