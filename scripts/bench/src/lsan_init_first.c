/* Preloaded after gcc's liblsan.so by scripts/bench/workloads: starts LeakSanitizer's runtime from a
 * constructor, before the program's main.
 *
 * Why: the shared liblsan.so initializes itself lazily, on the first intercepted allocation (a program
 * built with -fsanitize=leak gets liblsan_preinit.o linked in, whose .preinit_array entry does it first).
 * A program that calls an intercepted function before its first malloc — perl and git call signal() at
 * the top of main — then jumps through the interceptor's still-null pointer to the real function and
 * dies of SIGSEGV at address 0 (and so does binutils' `as` under gcc -c). Calling __lsan_init here does
 * what the preinit entry would; this library depends on liblsan.so, so its constructor runs after
 * liblsan's own and before the program's. */
void __lsan_init(void);

__attribute__((constructor)) static void lsan_init_first(void)
{
    __lsan_init();
}
