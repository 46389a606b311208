/* cli/evidence.c: how the hypothetical commands (offboard, what-if) show their evidence: witness
 * paths as JSON steps or "a > b > c" text, edges as "id (kind, from → to)", terminal-escaped. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

json_t *cli_json_path(const ap_graph *g, const uint32_t *path, uint32_t n)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr != NULL && i < n; i++) {
        const ap_edge *e = ap_graph_edge(g, path[i]);
        json_t *step = json_object();
        json_object_set_new(step, "from", json_string(ap_graph_node(g, e->from)->id));
        json_object_set_new(step, "to", json_string(ap_graph_node(g, e->to)->id));
        json_object_set_new(step, "kind", json_string(ap_edge_kind_name(e->kind)));
        json_array_append_new(arr, step);
    }
    return arr;
}

json_t *cli_json_edge(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(ed->id));
    json_object_set_new(o, "kind", json_string(ap_edge_kind_name(ed->kind)));
    json_object_set_new(o, "from", json_string(ap_graph_node(g, ed->from)->id));
    json_object_set_new(o, "to", json_string(ap_graph_node(g, ed->to)->id));
    return o;
}

char *cli_path_text(const ap_graph *g, uint32_t source, const uint32_t *path, uint32_t n)
{
    size_t size = strlen(ap_graph_node(g, source)->id) + 1;
    char *s;
    for (uint32_t i = 0; i < n; i++)
        size += strlen(ap_graph_node(g, ap_graph_edge(g, path[i])->to)->id) + 3;
    if ((s = malloc(size)) == NULL)
        return NULL;
    strcpy(s, ap_graph_node(g, source)->id);
    for (uint32_t i = 0; i < n; i++) {
        strcat(s, " > ");
        strcat(s, ap_graph_node(g, ap_graph_edge(g, path[i])->to)->id);
    }
    return s;
}

void cli_put(const char *s)
{
    char *shown = ap_text_escape(s);
    fputs(shown != NULL ? shown : "?", stdout);
    free(shown);
}

void cli_put_edge(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    cli_put(ed->id);
    printf(" (%s, ", ap_edge_kind_name(ed->kind));
    cli_put(ap_graph_node(g, ed->from)->id);
    fputs(" \xe2\x86\x92 ", stdout);
    cli_put(ap_graph_node(g, ed->to)->id);
    fputs(")", stdout);
}
