#!/usr/bin/env bash
# The public loader-ext API (and the GDB JIT symbols) are exported by libinvisible.so.
set -u
lib=$1
[ -f "$lib" ] || { echo "FAIL: $lib not built"; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk '{print $3}')
rc=0
for s in dlcreate dlalloc dlwriteptr dlbind dlbindcfi dldbind dldsym dldestroy dlexterror \
         __jit_debug_register_code __jit_debug_descriptor; do
  printf '%s\n' "$syms" | grep -qx "$s" || { echo "FAIL: $s not exported by $lib"; rc=1; }
done
[ $rc = 0 ] && echo "lx_exports: ok"
exit $rc
