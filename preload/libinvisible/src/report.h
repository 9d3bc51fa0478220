/* report.h — producing a report: through the NativeAOT runtime when it loads, otherwise the
 * plain C report (dladdr symbols only). A failure of the runtime never loses the report. */
#ifndef INVISIBLE_REPORT_H
#define INVISIBLE_REPORT_H

#include <stddef.h>

#include "invisible/query.h"

/* Fill the common parts of a request (pid, command line, descriptor). */
void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags);

/* Try the runtime; returns 0 when it wrote the report. Signal dispositions are restored. */
int report_with_runtime(const invisible_report_request *request);

/* Run an interactive Python session of the runtime on the connected socket `fd` (attach.c's
 * `python` request); `pending` holds bytes of the connection already read past the request
 * line. Signal dispositions are handled as for reports, except SIGPIPE stays the program's.
 * Returns the runtime's status (>= 0), or -1 when the runtime or its interpreter is missing. */
typedef int (*invisible_runtime_python_fn)(const invisible_query_api *api, int fd,
                                           const char *pending, uint64_t pending_length);
int runtime_python_session(int fd, const char *pending, size_t pending_length);

/* The runtime's `invisible_runtime_python_interrupt`: raises KeyboardInterrupt in the code a session
 * runs (any thread may call it; attach.c's relay does on Ctrl-C). Loads the runtime; NULL when it
 * or the entry is missing. */
typedef int (*invisible_runtime_python_interrupt_fn)(void);
invisible_runtime_python_interrupt_fn runtime_python_interrupt_entry(void);

/* The fallback: text to the report descriptor, JSON to request->json_path. Returns 0. */
int report_plain(const invisible_report_request *request);

/* The text report's destination, opened on demand (saved stderr or --log). */
int report_descriptor(void);

#endif
