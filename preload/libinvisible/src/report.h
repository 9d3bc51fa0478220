/* report.h — producing a report: through the NativeAOT runtime when it loads, otherwise the
 * plain C report (dladdr symbols only). A failure of the runtime never loses the report. */
#ifndef INVISIBLE_REPORT_H
#define INVISIBLE_REPORT_H

#include "invisible/query.h"

/* Fill the common parts of a request (pid, command line, descriptor). */
void report_prepare_request(invisible_report_request *request, const invisible_leak_summary *leaks,
                            const char *json_path, unsigned flags);

/* Try the runtime; returns 0 when it wrote the report. Signal dispositions are restored. */
int report_with_runtime(const invisible_report_request *request);

/* The fallback: text to the report descriptor, JSON to request->json_path. Returns 0. */
int report_plain(const invisible_report_request *request);

/* The text report's destination, opened on demand (saved stderr or --log). */
int report_descriptor(void);

#endif
