/* cli/whatif_items.c: what `what-if`'s outputs share: lists of reached items with their chains,
 * long chains cut as docs/json.md says. */
#include <stdlib.h>
#include <string.h>

#include "whatif_out.h"

/* A long chain: its first and last 8 steps (docs/json.md); `authpath explain` prints any chain
 * whole. Lists of every partner's chains stay proportional to the partners. */
#define SHOWN 16
#define HALF (SHOWN / 2)

char *cli_path_text_cut(const ap_graph *g, uint32_t source, const uint32_t *path, uint32_t n)
{
    if (n <= SHOWN)
        return cli_path_text(g, source, path, n);
    uint32_t skip = n - SHOWN;
    char *head = cli_path_text(g, source, path, HALF);
    char *tail = cli_path_text(g, ap_graph_edge(g, path[HALF + skip])->from,
                               path + HALF + skip, HALF);
    size_t size = (head ? strlen(head) : 0) + (tail ? strlen(tail) : 0) + 48;
    char *s = head != NULL && tail != NULL ? malloc(size) : NULL;
    if (s != NULL)
        snprintf(s, size, "%s > [%u more steps] > %s", head, skip, tail);
    free(head);
    free(tail);
    return s;
}

/* The chain as JSON steps, a long one cut as path_text cuts it: the key path_omitted of o
 * says where and how many ({"after", "steps"}). */
void cli_set_path(json_t *o, const ap_graph *g, const uint32_t *path, uint32_t n)
{
    if (n <= SHOWN) {
        json_object_set_new(o, "path", cli_json_path(g, path, n));
        return;
    }
    uint32_t skip = n - SHOWN;
    json_t *steps = cli_json_path(g, path, HALF), *tail = cli_json_path(g, path + HALF + skip,
                                                                        HALF);
    json_array_extend(steps, tail);
    json_decref(tail);
    json_object_set_new(o, "path", steps);
    json_object_set_new(o, "path_omitted", json_pack("{sisi}", "after", HALF, "steps",
                                                     (int)skip));
}


/* The items of a list that are printed: those with their chain, at most AP_WHATIF_ITEMS_SHOWN
 * (the library gives the rest no chain); *more gets how many are left out. */
static bool item_shown(const ap_reach_item *it, uint32_t *shown)
{
    if (it->path == NULL || *shown >= AP_WHATIF_ITEMS_SHOWN)
        return false;
    (*shown)++;
    return true;
}

/* One item: its id, rights and chain. */
static json_t *item_json(const ap_graph *g, const ap_reach_item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id_of(g, it->node)));
    json_object_set_new(o, "rights", cli_json_rights(ap_graph_vocab(g), it->rights));
    cli_set_path(o, g, it->path, it->npath);
    if (!it->dependency)            /* what the chain carries: rights may need several */
        json_object_set_new(o, "path_rights", cli_json_rights(ap_graph_vocab(g), it->carried));
    return o;
}

/* The items as JSON; *more gets how many are left out (counted under KEY_more). */
json_t *cli_items_json_more(const ap_graph *g, const ap_reach_item *it, uint32_t n,
                               uint32_t *more)
{
    json_t *arr = json_array();
    uint32_t shown = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!item_shown(&it[i], &shown))
            continue;
        json_array_append_new(arr, item_json(g, &it[i]));
    }
    *more = n - shown;
    return arr;
}

/* Set key to the items and, when some are left out, key_more to their count. */
void cli_set_items(json_t *o, const char *key, const ap_graph *g, const ap_reach_item *it,
                      uint32_t n)
{
    uint32_t more = 0;
    char name[64];
    json_object_set_new(o, key, cli_items_json_more(g, it, n, &more));
    snprintf(name, sizeof name, "%s_more", key);
    if (more > 0)
        json_object_set_new(o, name, json_integer(more));
}

/* Every item that has its chain. */
json_t *cli_items_json(const ap_graph *g, const ap_reach_item *it, uint32_t n)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; i < n; i++) {
        if (it[i].path == NULL)
            continue;
        json_array_append_new(arr, item_json(g, &it[i]));
    }
    return arr;
}

void cli_put_items(const ap_graph *g, uint32_t source, const ap_reach_item *it, uint32_t n,
                      const char *verb)
{
    uint32_t shown = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!item_shown(&it[i], &shown))
            continue;
        char rights[1024], *path = cli_path_text_cut(g, source, it[i].path, it[i].npath);
        ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), it[i].rights, ", ", true);
        printf("    %s ", verb);
        cli_put(id_of(g, it[i].node));
        printf(" (%s) through ", rights);
        cli_put(path != NULL ? path : "?");
        if (!it[i].dependency && it[i].carried != it[i].rights) {
            /* as authority's: the chain carries less than the item holds */
            ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), it[i].carried, ", ",
                             true);
            printf(" [%s]", rights);
        }
        fputs("\n", stdout);
        free(path);
    }
    if (n > shown)
        printf("    and %u more %s (the first %u are listed)\n", n - shown,
               verb[0] == 'g' ? "gains" : verb[0] == 'l' ? "losses" : "items", shown);
}
