/* query_export.c — the query API for code that lives in the same process (DwarfPython's
 * `process.heap`): `dlsym(RTLD_DEFAULT, "invisible_query")` finds this accessor exactly when
 * libinvisible.so is preloaded, and the table it returns is the one handed to the runtime. */
#include "invisible/leakcheck.h"
#include "invisible/query.h"

__attribute__((visibility("default"))) const invisible_query_api *invisible_query(void)
{
    return invisible_query_table();
}
