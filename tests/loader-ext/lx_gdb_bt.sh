#!/usr/bin/env bash
# Real gdb: the backtrace from abort() must name the generated functions (GDB JIT interface)
# and unwind through them (their .debug_frame, incl. caller-supplied CFI) to main.
#   lx_gdb_bt.sh PROGRAM [run|attach]
set -u
prog=$1 mode=${2:-run}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export INVISIBLE_DLEXT_DIR=$tmp INVISIBLE_DLEXT_PERFMAP=0
if [ "$mode" = attach ]; then
  # the program generates its functions, then waits in a generated frame; gdb attaches later
  # and must find the JIT entries registered before it arrived
  "$prog" --wait >"$tmp/out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q ready "$tmp/out" 2>/dev/null && break; sleep 0.1; done
  out=$(timeout 120 gdb -batch -p "$pid" -ex 'thread apply all bt' 2>&1)
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
else
  out=$(timeout 120 gdb -batch -ex run -ex bt --args "$prog" 2>&1)
fi
bt=$(printf '%s\n' "$out" | grep '^#')
printf '%s\n' "$bt"
fail() { echo "FAIL: $*"; printf '%s\n' "$out" | tail -30; exit 1; }
for f in lxgen_inner lxgen_mid lxgen_outer main; do
  printf '%s\n' "$bt" | grep -q " in $f (" || fail "frame $f missing"
done
# order, and nothing unnamed between the generated frames and main
order=$(printf '%s\n' "$bt" | sed -n 's/.* in \([A-Za-z_0-9?]*\) (.*/\1/p' | tr '\n' ' ')
case "$order" in
  *"lxgen_inner lxgen_mid lxgen_outer main"*) ;;
  *) fail "unexpected frame order: $order" ;;
esac
echo "lx_gdb_bt ($mode): ok"
