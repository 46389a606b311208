/* cli/whatif_out.h: what `what-if`'s change report (cmd_whatif.c) and its expiry forecast
 * (cmd_whatif_until.c) share: reached items with their chains (whatif_items.c). */
#ifndef AUTHPATH_CLI_WHATIF_OUT_H
#define AUTHPATH_CLI_WHATIF_OUT_H

#include "authpath/offboard.h"
#include "cli.h"

static inline const char *id_of(const ap_graph *g, uint32_t v)
{
    return ap_graph_node(g, v)->id;
}

/* Every item that has its chain, as JSON. */
json_t *cli_items_json(const ap_graph *g, const ap_reach_item *it, uint32_t n);
/* The printed items (those with a chain, at most AP_WHATIF_ITEMS_SHOWN) as JSON; *more gets how
 * many are left out. */
json_t *cli_items_json_more(const ap_graph *g, const ap_reach_item *it, uint32_t n,
                            uint32_t *more);
/* Set key of o to the printed items and, when some are left out, key_more to their count. */
void cli_set_items(json_t *o, const char *key, const ap_graph *g, const ap_reach_item *it,
                   uint32_t n);
/* "    VERB id (rights) through a > b" per printed item, then how many are left out. */
void cli_put_items(const ap_graph *g, uint32_t source, const ap_reach_item *it, uint32_t n,
                   const char *verb);
/* `what-if [PARTNER] --until DATE`: the forecast printed in format (text or json). */
int cli_whatif_until(cli_ctx *ctx, const char *partner, int64_t until, const char *format);

#endif
