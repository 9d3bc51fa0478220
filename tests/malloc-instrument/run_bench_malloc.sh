#!/usr/bin/env bash
# Whole malloc+free pair cost at call depth 16: plain glibc, libinvisible.so (INVISIBLE_DEPTH=16)
# and heaptrack, with 1 allocation site (repeated trace) and 2 alternating sites.
#   tests/malloc-instrument/run_bench_malloc.sh [build dir]     (default: build)
set -euo pipefail
build=${1:-build}
bench=$build/tests/malloc-instrument/bench_malloc_depth
lib=$build/lib/libinvisible.so
for sites in 1 2; do
  for run in 1 2 3; do "$bench" 2000000 16 $sites; done | sort -t: -k2 -n | head -1 | sed 's/^/plain      /'
  for run in 1 2 3; do INVISIBLE_DEPTH=16 LD_PRELOAD=$lib "$bench" 2000000 16 $sites 2>/dev/null; done | sort -t: -k2 -n | head -1 | sed 's/^/invisible  /'
  if command -v heaptrack >/dev/null; then
    out=$(mktemp -d)
    for run in 1 2; do heaptrack -o "$out/ht" "$bench" 2000000 16 $sites 2>/dev/null | grep pairs; rm -f "$out"/ht*; done | sort -t: -k2 -n | head -1 | sed 's/^/heaptrack  /'
    rmdir "$out"
  fi
done
