/* nodebuginfod.c — build/lib/libinvisible-nodebuginfod.so, whose SONAME is libdebuginfod.so.1 and
 * which exports none of libdebuginfod's functions.
 *
 * Why: when a module has no local debug info, libdw's standard find_debuginfo asks debuginfod, and
 * to do so it dlopens "libdebuginfod.so.1" — even with DEBUGINFOD_URLS unset, when the client can
 * only say "no server". That load brings in libcurl, gnutls, libcrypto, nettle, ssh2, idn2, ...
 * (~7 MiB resident, their constructors, curl_global_init) into the program being reported on, at
 * its exit. Loaded first (only when DEBUGINFOD_URLS is unset or empty), this object answers libdw's
 * dlopen by its SONAME; libdw finds no debuginfod_begin in it and goes on without debuginfod, as
 * it does when the library is not installed. With DEBUGINFOD_URLS set nothing changes. */
int invisible_nodebuginfod_marker;
