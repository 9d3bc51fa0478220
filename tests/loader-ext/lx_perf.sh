#!/usr/bin/env bash
# Profilers: the perf map line is written, and perf report names the generated hot loop
# (INVISIBLE_DLEXT_KEEP=1 keeps the object file for perf report).  Skipped without perf.
set -u
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export INVISIBLE_DLEXT_DIR=$tmp INVISIBLE_DLEXT_KEEP=1
if ! command -v perf >/dev/null || ! perf record -q -o "$tmp/probe.data" true >/dev/null 2>&1; then
  echo "lx_perf: skipped (perf unavailable)"; exit 77   # ctest: SKIP_RETURN_CODE, counted as skipped
fi
perf record -q -o "$tmp/perf.data" "$prog" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
pid=$(sed -n 's/^pid \([0-9]*\) .*/\1/p' "$tmp/out")
map=/tmp/perf-$pid.map
grep -q ' lxhotloop$' "$map" || { echo "FAIL: no lxhotloop line in $map"; exit 1; }
rm -f "$map"
report=$(perf report -i "$tmp/perf.data" --stdio 2>/dev/null | grep -v '^#' | head -5)
printf '%s\n' "$report"
printf '%s\n' "$report" | grep -q 'lxhotloop' || { echo "FAIL: perf report lacks lxhotloop"; exit 1; }
echo "lx_perf: ok"
