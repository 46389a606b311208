/* cli/evidence.c: how commands show their evidence: chains as JSON steps (edge id, rights
 * carried, source file:line:col) or "a > b > c" text, --evidence step lists, edges as "id (kind,
 * from → to)", terminal-escaped. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "cli.h"

json_t *cli_json_source(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    json_t *o;
    if (ed->file <= 0)
        return json_null();         /* an edge a what-if added: no input declared it */
    o = json_object();
    json_object_set_new(o, "file", json_string(ap_graph_source_path(g, ed->file)));
    json_object_set_new(o, "line", json_integer(ed->line));
    json_object_set_new(o, "col", json_integer(ed->col));
    json_object_set_new(o, "snapshot", json_integer(ap_graph_source_snapshot(g, ed->file)));
    return o;
}

/* One step as JSON: from, to, kind, edge and its source. */
static json_t *step_json(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    json_t *step = json_object();
    json_object_set_new(step, "from", json_string(ap_graph_node(g, ed->from)->id));
    json_object_set_new(step, "to", json_string(ap_graph_node(g, ed->to)->id));
    json_object_set_new(step, "kind", json_string(ap_edge_kind_name(ed->kind)));
    json_object_set_new(step, "edge", json_string(ed->id));
    json_object_set_new(step, "source", cli_json_source(g, e));
    return step;
}

/* The steps of tail's witness for `gate` into *out (its length in *len): NULL when it exceeds
 * what is left of *budget, which it otherwise spends. */
static uint32_t *gate_chain(size_t *len, const ap_graph *g, const ap_authority *a, uint32_t tail,
                            ap_rights gate, size_t *budget)
{
    uint32_t *chain;
    *len = ap_authority_chain(a, g, tail, gate, NULL, 0);
    if (*len > *budget || (chain = malloc((*len + 1) * sizeof *chain)) == NULL)
        return NULL;
    *budget -= *len;
    ap_authority_chain(a, g, tail, gate, chain, *len);
    return chain;
}

/* The chain's steps as JSON, replayed whole; only the steps before `cut` and from `resume` on
 * are written. The gates' witnesses spend *budget (CLI_GATE_STEPS for a whole chain). */
static json_t *chain_steps(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                           size_t len, size_t cut, size_t resume, size_t *budget)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    json_t *arr = json_array();
    ap_chain_step *steps = malloc((len + 1) * sizeof *steps);
    if (arr == NULL || steps == NULL || ap_authority_replay(g, a, edges, len, steps) == 0) {
        free(steps);
        json_decref(arr);
        return NULL;                /* never for a chain the engine printed */
    }
    for (size_t i = 0; i < len; i++) {
        if (i >= cut && i < resume)
            continue;
        json_t *step = step_json(g, edges[i]);
        json_object_set_new(step, "rights", cli_json_rights(voc, steps[i].carried));
        if (steps[i].gate != 0) {
            /* a gate this chain cannot open: the right that does, with its own witness (rounds
             * strictly fall along the citations, so they end) while the budget lasts */
            uint32_t tail = ap_graph_edge(g, edges[i])->from;
            size_t glen;
            uint32_t *chain = gate_chain(&glen, g, a, tail, steps[i].gate, budget);
            json_t *gate = json_object();
            json_object_set_new(gate, "rights", cli_json_rights(voc, steps[i].gate));
            if (chain != NULL) {
                json_object_set_new(gate, "path", chain_steps(g, a, chain, glen, glen, glen,
                                                              budget));
            } else {
                json_object_set_new(gate, "path", json_array());
                json_object_set_new(gate, "path_omitted", json_pack("{sisI}", "after", 0,
                                                                    "steps", (json_int_t)glen));
            }
            json_object_set_new(step, "gate", gate);
            free(chain);
        }
        json_array_append_new(arr, step);
    }
    free(steps);
    return arr;
}

json_t *cli_json_chain(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                       size_t len)
{
    size_t budget = CLI_GATE_STEPS;
    return chain_steps(g, a, edges, len, len, len, &budget);
}

void cli_json_chain_cut(json_t *o, const ap_graph *g, const ap_authority *a,
                        const uint32_t *edges, size_t len)
{
    size_t half = CLI_CHAIN_SHOWN / 2, skip = len > CLI_CHAIN_SHOWN ? len - CLI_CHAIN_SHOWN : 0;
    size_t budget = CLI_GATE_STEPS;
    json_object_set_new(o, "path", chain_steps(g, a, edges, len, half, half + skip, &budget));
    if (skip > 0)
        json_object_set_new(o, "path_omitted", json_pack("{sisI}", "after", (int)half, "steps",
                                                         (json_int_t)skip));
}

/* "five.json:3:12, snapshot 1" */
static void put_source(const ap_graph *g, const ap_edge *ed)
{
    if (ed->file <= 0) {
        fputs("no input (added by what-if)", stdout);
        return;
    }
    cli_put(ap_graph_source_path(g, ed->file));
    printf(":%u:%u, snapshot %lld", ed->line, ed->col,
           (long long)ap_graph_source_snapshot(g, ed->file));
}

static void print_evidence(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                           size_t len, int indent, size_t *budget)
{
    const ap_vocab *voc = ap_graph_vocab(g);
    ap_chain_step *steps = malloc((len + 1) * sizeof *steps);
    if (steps == NULL || ap_authority_replay(g, a, edges, len, steps) == 0) {
        free(steps);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        const ap_edge *ed = ap_graph_edge(g, edges[i]);
        char rights[1024];
        ap_rights_format(rights, sizeof rights, voc, steps[i].carried, ",", true);
        printf("%*s", indent, "");
        cli_put(ap_graph_node(g, ed->from)->id);
        fputs(" > ", stdout);
        cli_put(ap_graph_node(g, ed->to)->id);
        printf(": %s, carries %s; edge ", ap_edge_kind_name(ed->kind), rights);
        cli_put(ed->id);
        fputs(" at ", stdout);
        put_source(g, ed);
        fputs("\n", stdout);
        if (steps[i].gate != 0) {
            size_t glen;
            uint32_t *chain = gate_chain(&glen, g, a, ed->from, steps[i].gate, budget);
            ap_rights_format(rights, sizeof rights, voc, steps[i].gate, ",", true);
            printf("%*sits gate opens on %s held at ", indent + 2, "", rights);
            cli_put(ap_graph_node(g, ed->from)->id);
            if (chain != NULL) {
                fputs(" through:\n", stdout);
                print_evidence(g, a, chain, glen, indent + 4, budget);
            } else {
                printf(" (a chain of %zu steps, left out: this chain's gates have cited %d "
                       "steps)\n", glen, CLI_GATE_STEPS);
            }
            free(chain);
        }
    }
    free(steps);
}

void cli_print_chain_evidence(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                              size_t len, int indent)
{
    size_t budget = CLI_GATE_STEPS;
    print_evidence(g, a, edges, len, indent, &budget);
}

json_t *cli_json_path(const ap_graph *g, const uint32_t *path, uint32_t n)
{
    json_t *arr = json_array();
    for (uint32_t i = 0; arr != NULL && i < n; i++)
        json_array_append_new(arr, step_json(g, path[i]));
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
    size_t size = strlen(ap_graph_node(g, source)->id) + 1, at;
    /* only the nodes are named: the edges' fields are kept, their strings not read */
    char *s;
    for (uint32_t i = 0; i < n; i++)
        size += strlen(ap_graph_node(g, ap_graph_edge_fields(g, path[i], NULL)->to)->id) + 3;
    if ((s = malloc(size)) == NULL)
        return NULL;
    /* appended at a running offset: strcat would rescan the text, quadratic on long chains */
    at = strlen(strcpy(s, ap_graph_node(g, source)->id));
    for (uint32_t i = 0; i < n; i++) {
        const char *id = ap_graph_node(g, ap_graph_edge_fields(g, path[i], NULL)->to)->id;
        size_t len = strlen(id);
        memcpy(s + at, " > ", 3);
        memcpy(s + at + 3, id, len + 1);
        at += 3 + len;
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
