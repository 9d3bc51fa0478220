/* query_export.c — invisible_query() (include/invisible.h): the query table for code that lives
 * in the same process (DwarfPython's `process.heap`), the one handed to the runtime. */
#include "internal.h"

__attribute__((visibility("default"))) const struct invisible_query_api *invisible_query(void)
{
    return invisible_query_table();
}
