/* import/csv_fast.c: the rows of a nodes or an edges file staged straight from their cells, with
 * no jansson object per row. Only rows it can vouch for; any other goes to native.c as before. */
#include <stdlib.h>
#include <string.h>

#include "csv_internal.h"

/* The columns this path reads (docs/design.md's edge fields); a file with any other column is
 * read the generic way, so an attribute it does not know never has to be written here. */
static const char *const fast_names[AP_CSV_FAST_COLS] = {
    "id", "from", "to", "kind", "rights", "requires", "escalates", "state", "valid_from",
    "expires"
};
enum { F_ID, F_FROM, F_TO, F_KIND, F_RIGHTS, F_REQUIRES, F_ESCALATES, F_STATE, F_VALID_FROM,
       F_EXPIRES };

typedef struct {
    const char *name;
    size_t col;
} named_col;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named_col *)a)->name, ((const named_col *)b)->name);  /* unique */
}

static const char *col_name(const csv_reader *r, size_t i)
{
    return json_string_value(json_array_get(r->names, i));
}

/* Once a header is known to suit: each column's known attribute (docs/design.md), and the
 * attribute columns (all but the nfields that rows read themselves, named in fields) in name
 * order, as the canonical attrs text has them. */
static int attr_columns(csv_reader *r, const char *const *fields, size_t nfields)
{
    size_t ncols = json_array_size(r->names);
    named_col *attrs = malloc((ncols + 1) * sizeof *attrs);
    r->fast_nattrs = 0;
    if (attrs == NULL || (r->fast_order = malloc((ncols + 1) * sizeof *r->fast_order)) == NULL
        || (r->fast_known = malloc((ncols + 1) * sizeof *r->fast_known)) == NULL) {
        free(attrs);
        return AP_ENOMEM;
    }
    for (size_t i = 0; i < ncols; i++) {
        const char *name = col_name(r, i);
        size_t f = 0;
        while (f < nfields && strcmp(fields[f], name) != 0)
            f++;
        r->fast_known[i] = ap_import__known_attr(name);
        if (f == nfields)
            attrs[r->fast_nattrs++] = (named_col){ name, i };
    }
    qsort(attrs, r->fast_nattrs, sizeof *attrs, by_name);
    for (size_t k = 0; k < r->fast_nattrs; k++)
        r->fast_order[k] = attrs[k].col;
    free(attrs);
    return AP_OK;
}

/* A nodes file: every column text or boolean (lists and scopes take the generic path), every
 * name plain, an id and a kind. */
static int node_header(csv_reader *r)
{
    static const char *const fields[] = { "id", "kind" };
    int rc;
    r->fast_id = r->fast_kind = SIZE_MAX;
    for (size_t i = 0; i < json_array_size(r->names); i++) {
        const char *name = col_name(r, i);
        if ((r->types[i] != COL_TEXT && r->types[i] != COL_BOOL)
            || !ap_import__plain(name, strlen(name)))
            return AP_OK;
        if (strcmp(name, "id") == 0)
            r->fast_id = i;
        else if (strcmp(name, "kind") == 0)
            r->fast_kind = i;
    }
    if (r->fast_id == SIZE_MAX || r->fast_kind == SIZE_MAX)
        return AP_OK;
    if ((rc = attr_columns(r, fields, 2)) < 0)
        return rc;
    r->fast = 1;
    return AP_OK;
}

static unsigned long fast_staged;     /* several imports may run at once: atomic */

unsigned long ap_csv__fast_staged(void) { return __atomic_load_n(&fast_staged, __ATOMIC_RELAXED); }

void ap_csv__fast_count(void) { __atomic_add_fetch(&fast_staged, 1, __ATOMIC_RELAXED); }

int ap_csv__fast_header(csv_reader *r)
{
    int rc;
    r->fast = 0;
    if (r->kind == FILE_NODES)
        return node_header(r);
    if (r->kind != FILE_EDGES)
        return AP_OK;
    for (size_t f = 0; f < AP_CSV_FAST_COLS; f++)
        r->fast_col[f] = SIZE_MAX;
    for (size_t i = 0; i < json_array_size(r->names); i++) {
        const char *name = col_name(r, i);
        size_t f = 0;
        while (f < AP_CSV_FAST_COLS && strcmp(fast_names[f], name) != 0)
            f++;
        if (f == AP_CSV_FAST_COLS)
            return AP_OK;
        r->fast_col[f] = i;
    }
    /* an edge's own fields come before F_STATE; the rest are attributes */
    if ((rc = attr_columns(r, fast_names, F_STATE)) < 0)
        return rc;
    r->fast = 1;
    return AP_OK;
}

/* A cell of column i of the current row, or NULL (absent or empty: absent, as row_object()
 * leaves it out). */
static const char *cell_at(const csv_reader *r, size_t i, size_t *len)
{
    if (i >= r->ncells || r->cells[i].empty)
        return NULL;
    *len = r->cells[i].len;
    return r->buf + r->cells[i].off;
}

/* Field f of an edges file's current row, or NULL. */
static const char *field(const csv_reader *r, size_t f, size_t *len)
{
    return cell_at(r, r->fast_col[f], len);
}

/* May the current row be staged here? No more cells than columns (the generic path reports
 * extra fields) and every cell text jansson writes unchanged (else it checks or escapes it). */
static int row_plain(const csv_reader *r)
{
    if (r->ncells > json_array_size(r->names))
        return 0;
    for (size_t i = 0; i < r->ncells; i++)
        if (!r->cells[i].empty && !ap_import__plain(r->buf + r->cells[i].off, r->cells[i].len))
            return 0;
    return 1;
}

/* The current row's attribute cells, checked as check_attrs() does (what known ones set, set
 * in lc), as the text ap_import__attrs() makes of them: keys in order, strings quoted, booleans
 * bare. 0 when a cell must take the generic path or the text does not fit in size bytes. */
static int attrs_text(const csv_reader *r, char *buf, size_t size, ap_lifecycle *lc)
{
    char *p = buf;
    size_t len;
    *p++ = '{';
    for (size_t k = 0; k < r->fast_nattrs; k++) {
        size_t i = r->fast_order[k];
        const json_t *name = json_array_get(r->names, i);
        int quoted = r->types[i] == COL_TEXT, b;
        const char *s;
        if ((s = cell_at(r, i, &len)) == NULL)
            continue;
        if (!quoted) {
            if ((b = ap_csv__bool(s)) < 0)
                return 0;
            s = b ? "true" : "false";
            len = strlen(s);
        } else if (r->fast_known[i] >= 0 && !ap_import__attr_text(r->fast_known[i], s, lc)) {
            return 0;
        }
        if (!ap_import__attr_put(&p, buf + size, json_string_value(name),
                                 json_string_length(name), s, len, quoted))
            return 0;
    }
    *p++ = '}';
    *p = '\0';
    return 1;
}

/* A rights cell as list_value() and parse_rights() read it: "all", "none", or names between
 * '|', trimmed. 0 when a name is new to the vocabulary or a custom right's first use in this
 * import: adding it and remembering where it was first used are the generic path's. */
static int rights(const csv_reader *r, const char *s, size_t len, ap_rights *mask)
{
    const ap_vocab *v = ap_store_vocab(r->ctx->st);
    const char *end = s + len;
    char name[128];
    if (strcmp(s, "all") == 0 || strcmp(s, "none") == 0) {
        *mask = s[0] == 'a' ? AP_RIGHTS_ALL : 0;
        return 1;
    }
    *mask = 0;
    for (;;) {
        const char *bar = memchr(s, '|', (size_t)(end - s)), *e = bar ? bar : end;
        const char *a = s;
        int bit;
        while (a < e && (*a == ' ' || *a == '\t'))
            a++;
        while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - a) >= sizeof name)
            return 0;
        memcpy(name, a, (size_t)(e - a));
        name[e - a] = '\0';
        if (strcmp(name, "all") == 0) {
            *mask = AP_RIGHTS_ALL;
        } else {
            if ((bit = ap_vocab_find(v, name)) < 0
                || (bit >= AP_R_BUILTIN && r->ctx->use_line[bit] == 0
                    && r->ctx->use_file[bit] == 0))
                return 0;
            *mask |= (ap_rights)1 << bit;
        }
        if (bar == NULL)
            return 1;
        s = bar + 1;
    }
}

/* The attributes text of a row: its cells are plain, so it is at most the row's length and
 * some quotes; a longer one takes the generic path. */
#define ATTRS_MAX 4096

int ap_csv__fast_edge(csv_reader *r)
{
    const ap_edge_kind_info *info;
    const char *s, *from, *to, *kind;
    size_t len, from_len, to_len, kind_len;
    char attrs[ATTRS_MAX];
    ap_lifecycle lc = { AP_STATE_ACTIVE, AP_TIME_NONE, AP_TIME_NONE, AP_SENS_NONE };
    ap_edge_rec rec;
    int rc, b;
    if (!row_plain(r))
        return 0;
    if ((from = field(r, F_FROM, &from_len)) == NULL || (to = field(r, F_TO, &to_len)) == NULL
        || (kind = field(r, F_KIND, &kind_len)) == NULL
        || (rec.kind = ap_edge_kind_parse(kind)) == AP_EDGE_NONE)
        return 0;
    /* defaults from docs/design.md's edge table, as ap_import__native_edge() sets them */
    info = ap_edge_kind_info_of(rec.kind);
    rec.rights = info->traversable ? AP_RIGHTS_ALL : 0;
    rec.requires = info->requires;
    rec.escalates = info->escalates;
    rec.rights_declared = 0;
    if ((s = field(r, F_RIGHTS, &len)) != NULL) {
        if (!rights(r, s, len, &rec.rights))
            return 0;
        rec.rights_declared = 1;
    }
    if ((s = field(r, F_REQUIRES, &len)) != NULL && !rights(r, s, len, &rec.requires))
        return 0;
    if ((s = field(r, F_ESCALATES, &len)) != NULL) {
        if ((b = ap_csv__bool(s)) < 0)
            return 0;
        rec.escalates = b;
    }
    /* state, valid_from and expires: attributes that set what they set */
    if (!attrs_text(r, attrs, sizeof attrs, &lc))
        return 0;
    rec.state = lc.state;
    rec.valid_from = lc.valid_from;
    rec.expires = lc.expires;
    rec.id = field(r, F_ID, &len);
    rec.from = from;
    rec.to = to;
    rec.attrs = attrs;
    /* the places ap_import__native_edge() asks the locator for */
    rec.line = r->rec_line;
    rec.col = 1;
    if (!ap_csv__field_place(r, r->fast_col[F_FROM], AP_NO_ITEM, &rec.from_line, &rec.from_col)) {
        rec.from_line = r->rec_line;
        rec.from_col = 1;
    }
    if (!ap_csv__field_place(r, r->fast_col[F_TO], AP_NO_ITEM, &rec.to_line, &rec.to_col)) {
        rec.to_line = r->rec_line;
        rec.to_col = 1;
    }
    if ((rc = ap_store_stage_edge(r->ctx->st, r->ctx->file, &rec, r->err)) == AP_OK)
        ap_import__tick(r->ctx);
    else
        r->rc = rc;
    return 1;
}

void ap_csv__fast_hint(const csv_reader *r, const char *const *bufs, const cell *const *cells,
                       const size_t *ncells, size_t nrows)
{
    const char *ids[AP_STAGE_HINT_MAX];
    size_t n = 0;
    for (size_t i = 0; i < nrows && n + 2 <= AP_STAGE_HINT_MAX; i++)
        for (size_t f = F_FROM; f <= F_TO; f++) {
            size_t c = r->fast_col[f];
            if (c < ncells[i] && !cells[i][c].empty)
                ids[n++] = bufs[i] + cells[i][c].off;
        }
    ap_store_stage_hint(r->ctx->st, ids, n);
}

int ap_csv__fast_node(csv_reader *r)
{
    char attrs[ATTRS_MAX];
    const char *id, *kind;
    size_t len;
    ap_lifecycle lc = { AP_STATE_ACTIVE, AP_TIME_NONE, AP_TIME_NONE, AP_SENS_NONE };
    ap_node_rec rec;
    ap_place id_place = { "nodes", r->row, "id", AP_NO_ITEM, NULL };
    int rc;
    if (!row_plain(r))
        return 0;
    if ((id = cell_at(r, r->fast_id, &len)) == NULL
        || (kind = cell_at(r, r->fast_kind, &len)) == NULL
        || (rec.kind = ap_kind_parse(kind)) == AP_KIND_NONE)
        return 0;
    /* every other non-empty cell */
    if (!attrs_text(r, attrs, sizeof attrs, &lc))
        return 0;
    rec.id = id;
    rec.state = lc.state;
    rec.valid_from = lc.valid_from;
    rec.expires = lc.expires;
    rec.sensitivity = lc.sensitivity;
    rec.attrs = attrs;
    rec.line = r->rec_line;
    rec.col = 1;
    if ((rc = ap_import__stage_node(r->ctx, &id_place, &rec, r->err)) < 0 && rc != AP_EINPUT)
        r->rc = rc;
    return 1;
}
