/* invisible.h — what libinvisible.so exports to programs and debuggers (besides the malloc
 * family, which it interposes, and the loader extension in dlext.h).
 *
 * int invisible_report(const char *json_path);
 *     Write a report now: leak check and (when the runtime is available) heap census, as JSON
 *     to `json_path` ("%p" = pid; NULL = the text report only). Callable from the program or
 *     from a debugger (`call invisible_report("r.json")`). Returns 0 on success.
 */
#ifndef INVISIBLE_H
#define INVISIBLE_H

#ifdef __cplusplus
extern "C" {
#endif

int invisible_report(const char *json_path);

#ifdef __cplusplus
}
#endif
#endif
