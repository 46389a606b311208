/* graph/igraph_view.c: the igraph side of the in-memory graph. igraph's default error handler
 * aborts the process; authpath installs one that returns, and builds igraph_t views on demand. */
#include <stdlib.h>

#include "authpath/graph.h"

void ap_igraph_init(void)
{
    igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
}
