/* dlext.h — dynamic-loader extension: named objects that generated code can be added to.
 *
 * Contract (modelled on libdlbind and "Virtual Machines Should Be Invisible" §3.2):
 *
 *   void *h = dlcreate("myjit");              // a real ELF shared object, dlopen()ed
 *   void *code = dlalloc(h, 64, DLEXT_CODE);  // r-x space inside the object
 *   memcpy(dlwriteptr(h, code), bytes, n);    // written through a second rw- mapping
 *   dlbind(h, "f", code, n, STT_FUNC);        // dlsym(h,"f") and dladdr(code) now see it
 *   dldestroy(h);                             // dlclose + unmap + unregister everywhere
 *
 * The handle returned by dlcreate IS the dlopen() handle of the object's first segment, so
 * plain dlsym(h, sym) works (and is as fast as on any library).  The object is RTLD_LOCAL:
 * generated symbols never interpose on other libraries; dlsym(RTLD_DEFAULT, ..) does not see them.
 *
 * Backing and naming: a file "<parent>/invisible-dlext.<pid>/<name>" (<parent> =
 * $INVISIBLE_DLEXT_DIR or /dev/shm, tmpfs), so /proc/PID/maps, dl_iterate_phdr, the link map and
 * gdb all show the name; if that is unusable (missing, noexec) a memfd named <name> is used
 * instead and the link-map name is /proc/<pid>/fd/<n>.  Files are removed by dldestroy and at
 * exit (not with INVISIBLE_DLEXT_KEEP=1, which keeps them for `perf report`); directories of
 * processes that died without exiting (abort, kill) are swept by the next dlcreate.
 *
 * Growth: code and data space grow without limit by chaining further objects ("<name>.1",
 * "<name>.2", ... each twice as large) behind the one handle; each is a real loaded object.  The
 * first segment's symbol table indexes every symbol of the handle (so dlsym(h) finds all of them)
 * and lives in a sparse virtual reservation: INVISIBLE_DLEXT_MAXSYMS symbols (default 4M) cost
 * address space only, memory is used per symbol actually bound.
 *
 * Errors: every function returns NULL (or -1) on failure, sets errno, and records a message that
 * dlexterror() returns (thread-local; reading it clears it, like dlerror()).  Bad handles, NULL
 * arguments, duplicates, out-of-range sizes never crash the process.
 *
 * Thread safety: all functions may be called concurrently.  dlsym/dladdr/dldsym may run while
 * other threads dlbind into the same object (symbols are published with ordered stores; a
 * concurrent lookup sees a symbol either fully or not at all).  Using a handle concurrently with
 * its dldestroy is the caller's bug (as with dlclose), but is detected rather than crashing when
 * dldestroy completes first.
 *
 * Debuggers/profilers: each STT_FUNC bound in code space gets (a) an FDE in the object's
 * .eh_frame + PT_GNU_EH_FRAME search table (libgcc unwinder, backtrace(), C++ exceptions),
 * (b) GDB JIT-interface registration (in-memory ELF symfiles with the symbol and its
 * .debug_frame; merged 16 at a time so gdb keeps few JIT objfiles), unless
 * INVISIBLE_DLEXT_GDBJIT=0, (c) a line "START SIZE name" in /tmp/perf-PID.map, unless
 * INVISIBLE_DLEXT_PERFMAP=0.  The object file itself carries .dynsym/.eh_frame with section
 * headers kept current, so tools that read it (gdb -p, perf report) see every symbol.
 * No DWARF line info is produced (no producer API for it yet).
 */
#ifndef INVISIBLE_DLEXT_H
#define INVISIBLE_DLEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLEXT_API __attribute__((visibility("default")))

/* dlalloc flags; values equal ELF SHF_WRITE / SHF_EXECINSTR, as in libdlbind. */
#define DLEXT_DATA 0x1u /* rw- space (also used for flags == 0, "rodata") */
#define DLEXT_CODE 0x4u /* r-x space; write it via dlwriteptr(); CODE|DATA is refused (no W+X) */

/* Create and load a new, empty object called name (1..200 chars, no '/', unique in the process).
 * Returns its dlopen handle. */
DLEXT_API void *dlcreate(const char *name);

/* size bytes (16-byte aligned) of code or data space.  Returns the run-time address (for code:
 * the executable mapping, not writable). */
DLEXT_API void *dlalloc(void *h, size_t size, unsigned flags);

/* Writable alias of code address addr (from dlalloc(.., DLEXT_CODE)); NULL if addr is not code
 * space of h.  Write the instructions here, then call/bind addr. */
DLEXT_API void *dlwriteptr(void *h, const void *addr);

/* Bind sym to addr (any address; dladdr finds it only if it is inside the object).
 * stt_type: STT_NOTYPE, STT_OBJECT or STT_FUNC.  A STT_FUNC in code space gets unwind info
 * assuming the standard frame-pointer prologue (push %rbp; mov %rsp,%rbp at offsets 0 and 1).
 * Returns addr, or NULL (duplicate name, bad argument, capacity). */
DLEXT_API void *dlbind(void *h, const char *sym, void *addr, size_t size, unsigned char stt_type);

/* As dlbind, but the function's call-frame instructions are supplied by the caller: cfi/cfi_len
 * are raw DW_CFA_* bytes (code_align 1, data_align -8, return address column 16) executed after
 * the CIE's initial rules "CFA = rsp+8, RA at CFA-8".  cfi == NULL with cfi_len == 0 means the
 * function never changes its frame (leaf without a frame). */
DLEXT_API void *dlbindcfi(void *h, const char *sym, void *addr, size_t size,
                          unsigned char stt_type, const void *cfi, size_t cfi_len);

/* Entry point of sym for calling-convention/signature token in namespace ns.
 * Naming scheme (stable ABI): the ELF symbol is "sym" if token and ns are both NULL, otherwise
 * "sym$<ns>$<token>" (NULL ns or token = empty string).  ns and token must not contain '$'.
 * A function may have any number of such entry points; there is no fallback from a token to
 * another one (a wrong convention must not be called silently).  dldbind() creates them. */
DLEXT_API void *dldsym(void *h, const char *sym, const char *token, const char *ns);
DLEXT_API void *dldbind(void *h, const char *sym, const char *token, const char *ns,
                        void *addr, size_t size, unsigned char stt_type);

/* Unload the object (all its segments), remove its files, GDB JIT entries and registrations.
 * Returns 0, or -1 for an unknown handle. */
DLEXT_API int dldestroy(void *h);

/* Last error message of this thread's dlext calls, or NULL; cleared by the call. */
DLEXT_API const char *dlexterror(void);

/* For the library that links loader-ext in (libinvisible.so's entry), not exported. At exit a
 * destructor removes the objects' backing files. A library whose own exit work reads them (its
 * report names generated code from them) calls dlext_defer_file_cleanup() once at start-up, then
 * dlext_cleanup_files_now() when that work is done. */
void dlext_defer_file_cleanup(void);
void dlext_cleanup_files_now(void);

#ifdef __cplusplus
}
#endif
#endif
