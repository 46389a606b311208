/* query/findings/flags.c: the yes/no attributes and sensitivities the rules read per reached
 * node or edge, each looked up in the graph once per run and kept in a byte per node or edge. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* Does the attributes text hold "key" (quoted) anywhere: a parse is needed only then. */
static bool may_name(const char *attrs, const char *key)
{
    char quoted[64];
    size_t len = strlen(key);
    if (attrs == NULL)
        return false;
    if (len + 3 > sizeof quoted)        /* the rules' keys are short: never here */
        return true;
    quoted[0] = '"';
    memcpy(quoted + 1, key, len);
    quoted[len + 1] = '"';
    quoted[len + 2] = '\0';
    return strstr(attrs, quoted) != NULL;
}

/* What x is: 's' a string (copied into buf, cut to its size), 't' true, 'f' false, 0 absent or
 * anything else. */
static int value_of(const json_t *x, char *buf, size_t size)
{
    int kind = json_is_string(x) ? 's' : json_is_true(x) ? 't' : json_is_false(x) ? 'f' : 0;
    if (kind == 's')
        snprintf(buf, size, "%s", json_string_value(x));
    return kind;
}

/* attrs parsed: the last one parsed is kept, as a node's rules ask several keys of it in a row
 * (the graph's attribute texts stay put while the rules run); NULL when it is not an object. */
static const json_t *parsed(const ap_rule_ctx *cc, const char *attrs)
{
    ap_rule_ctx *c = (ap_rule_ctx *)cc;
    if (c->parsed_text != attrs) {
        json_decref(c->parsed);
        c->parsed = json_loads(attrs, 0, NULL);
        c->parsed_text = attrs;
    }
    return c->parsed;
}

void ap_findings__attrs_drop(ap_rule_ctx *c)
{
    json_decref(c->parsed);
    c->parsed = NULL;
    c->parsed_text = NULL;
}

/* The JSON value of key in attributes text (value_of). */
static int attr(const ap_rule_ctx *c, const char *attrs, const char *key, char *buf,
                size_t size)
{
    const json_t *o;
    if (!may_name(attrs, key) || (o = parsed(c, attrs)) == NULL)
        return 0;
    return value_of(json_object_get(o, key), buf, size);
}

void ap_findings__attrs(const ap_rule_ctx *c, const char *attrs, ap_attr_ask *ask, size_t n)
{
    const json_t *o = NULL;
    bool named = false;
    for (size_t i = 0; i < n; i++) {
        ask[i].kind = 0;
        named |= may_name(attrs, ask[i].key);
    }
    if (!named || (o = parsed(c, attrs)) == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        ask[i].kind = value_of(json_object_get(o, ask[i].key), ask[i].buf, sizeof ask[i].buf);
}

const char *ap_findings__attr_str(const ap_rule_ctx *c, const char *attrs, const char *key,
                                  char *buf, size_t size)
{
    return attr(c, attrs, key, buf, size) == 's' ? buf : NULL;
}

bool ap_findings__attr_time(const ap_rule_ctx *c, const char *attrs, const char *key,
                            int64_t *out)
{
    char buf[64];
    return ap_time_parse(ap_findings__attr_str(c, attrs, key, buf, sizeof buf), out);
}

/* Read and let go (attr): the run keeps the answer in a byte per node or edge, so the graph
 * need not keep the parsed attributes of every node the rules look at (ap_graph_node_str
 * would, about 400 bytes a node). A string is compared in its first 511 bytes: no value the
 * rules ask for is longer. */
static bool lookup(const ap_rule_ctx *c, bool edge, uint32_t x, const char *key, int mode,
                   const char *value)
{
    char buf[512];
    const char *attrs = edge ? ap_graph_edge(c->g, x)->attrs : ap_graph_node(c->g, x)->attrs;
    int kind = attr(c, attrs, key, buf, sizeof buf);
    if (mode == 2)
        return kind == 's' && buf[0] != '\0' && (value == NULL || strcmp(buf, value) == 0);
    return kind == 't' ? true : kind == 'f' ? false : mode == 1;
}

static bool same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool flag(const ap_rule_ctx *c, bool edge, uint32_t x, const char *key, int mode,
                 const char *value)
{
    ap_flag_cache *slot = NULL, *flags = ((ap_rule_ctx *)c)->flags;
    /* the rules pass string literals: the same address first, then the same text */
    for (size_t i = 0; i < AP_FINDINGS_FLAGS && flags[i].key != NULL && slot == NULL; i++)
        if (flags[i].key == key && flags[i].value == value && flags[i].edge == edge
            && flags[i].mode == mode)
            slot = &flags[i];
    for (size_t i = 0; i < AP_FINDINGS_FLAGS && slot == NULL; i++) {
        ap_flag_cache *k = &flags[i];
        if (k->key == NULL || (k->edge == edge && k->mode == mode && strcmp(k->key, key) == 0
                               && same(k->value, value)))
            slot = k;
    }
    if (slot != NULL && slot->at == NULL) {
        size_t n = edge ? ap_graph_edge_count(c->g) : ap_graph_node_count(c->g);
        if ((slot->at = calloc(n + 1, 1)) == NULL) {
            slot = NULL;
        } else {
            slot->key = key;
            slot->value = value;
            slot->edge = edge;
            slot->mode = mode;
        }
    }
    if (slot != NULL && slot->at[x] != 0)
        return slot->at[x] == 2;
    bool yes = lookup(c, edge, x, key, mode, value);
    if (slot != NULL)                   /* (else every slot taken, or out of memory) */
        slot->at[x] = yes ? 2 : 1;
    return yes;
}

bool ap_findings__node_flag(const ap_rule_ctx *c, uint32_t v, const char *key, bool dflt)
{
    return flag(c, false, v, key, dflt ? 1 : 0, NULL);
}

bool ap_findings__edge_flag(const ap_rule_ctx *c, uint32_t e, const char *key, bool dflt)
{
    return flag(c, true, e, key, dflt ? 1 : 0, NULL);
}

bool ap_findings__node_named(const ap_rule_ctx *c, uint32_t v, const char *key)
{
    return flag(c, false, v, key, 2, NULL);
}

bool ap_findings__node_is(const ap_rule_ctx *c, uint32_t v, const char *key, const char *value)
{
    return flag(c, false, v, key, 2, value);
}

ap_sensitivity ap_findings__sensitivity(const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
        return AP_SENS_NONE;
    return nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity;
}

int ap_findings__node_bits(ap_rule_ctx *c)
{
    uint32_t n = ap_graph_node_count(c->g);
    if ((c->node_bits = malloc((size_t)n + 1)) == NULL)
        return c->rc = ap_error_nomem(c->err);
    for (uint32_t v = 0; v < n; v++) {
        unsigned kind = (unsigned)ap_graph_node(c->g, v)->kind;
        unsigned sens = (unsigned)(ap_findings__sensitivity(c->g, v) + 1);
        c->node_bits[v] = (unsigned char)(kind | sens << 3);
    }
    return AP_OK;
}
