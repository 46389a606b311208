/* import/aws_iam.c: `aws iam get-account-authorization-details` in (docs/sources/aws-iam.md): the
 * file indexed, principals, trust and grants read in passes (aws_*.c), nodes and edges staged. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"
#include "import_internal.h"

static void locate_cur(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const aws_pos *pos = vctx;
    (void)p;
    *line = pos->line;
    *col = pos->col;
}

void ap_aws__at(aws *a, size_t pos)
{
    ap_json__line_col(&a->t, pos, &a->cur.line, &a->cur.col);
}

int ap_aws__fail(aws *a, size_t pos, const char *fmt, const char *arg)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, NULL };
    if (pos != SIZE_MAX)
        ap_aws__at(a, pos);
    if (a->quiet)
        return AP_EINPUT;
    return ap_import__fail(a->ctx, &p, fmt, arg != NULL ? arg : "");
}

void ap_aws__note(aws *a, const char *what)
{
    if (a->quiet && strncmp(what, "approximated:", 13) != 0)
        return;
    ap_import__note(a->ctx, a->cur.line, a->cur.col, what);
}

/* ---- Nodes and edges in waiting ---- */

item *ap_aws__find_item(items *it, const char *key)
{
    json_t *i = json_object_get(it->index, key);
    return i != NULL ? &it->v[json_integer_value(i)] : NULL;
}

item *ap_aws__new_item(aws *a, items *it, const char *key, json_t *obj)
{
    item *x;
    if (obj == NULL)
        return NULL;
    if (it->n == it->cap) {
        item *p = realloc(it->v, (it->cap = it->cap ? it->cap * 2 : 256) * sizeof *p);
        if (p == NULL) {
            json_decref(obj);
            return NULL;
        }
        it->v = p;
    }
    if (json_object_set_new(it->index, key, json_integer((json_int_t)it->n)) < 0) {
        json_decref(obj);
        return NULL;
    }
    x = &it->v[it->n++];
    x->obj = obj;
    x->line = a->cur.line;
    x->col = a->cur.col;
    x->rights = 0;
    return x;
}

/* The node with this id, made with kind, name and type when it is new. */
json_t *ap_aws__node(aws *a, const char *id, ap_kind kind, const char *name, const char *type)
{
    item *x = ap_aws__find_item(&a->nodes, id);
    if (x != NULL)
        return x->obj;
    x = ap_aws__new_item(a, &a->nodes, id,
                         json_pack("{s:s, s:s, s:s, s:s}", "id", id, "kind", ap_kind_name(kind),
                                   "name", name, "type", type));
    return x != NULL ? x->obj : NULL;
}

/* Add s to the list attribute key of obj, once. */
int ap_aws__add_to_list(json_t *obj, const char *key, const char *s)
{
    json_t *list = json_object_get(obj, key);
    if (list == NULL) {
        if (json_object_set_new(obj, key, json_array()) < 0)
            return AP_ENOMEM;
        list = json_object_get(obj, key);
    }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
            return AP_OK;
    return json_array_append_new(list, json_string(s)) < 0 ? AP_ENOMEM : AP_OK;
}

/* The edge from -kind-> to (one per triple: later statements merge into it). */
item *ap_aws__edge(aws *a, const char *from, const char *kind, const char *to)
{
    char *key;
    item *x;
    size_t len = strlen(from) + strlen(kind) + strlen(to) + 3;
    if ((key = malloc(len)) == NULL)
        return NULL;
    snprintf(key, len, "%s\x1f%s\x1f%s", from, kind, to);
    if ((x = ap_aws__find_item(&a->edges, key)) == NULL)
        x = ap_aws__new_item(a, &a->edges, key,
                             json_pack("{s:s, s:s, s:s}", "from", from, "to", to, "kind", kind));
    free(key);
    return x;
}

/* ---- ARNs ---- */

/* Field k (0-based) of an ARN "arn:partition:service:region:account:resource" into buf. */
bool ap_aws__arn_field(const char *arn, int k, char *buf, size_t size)
{
    const char *p = arn;
    buf[0] = '\0';
    if (strncmp(arn, "arn:", 4) != 0)
        return false;
    for (int i = 0; i < k; i++) {
        if ((p = strchr(p, ':')) == NULL)
            return false;
        p++;
    }
    size_t n = k == 5 ? strlen(p) : (strchr(p, ':') != NULL ? (size_t)(strchr(p, ':') - p)
                                                            : strlen(p));
    if (n >= size) {
        buf[0] = '\0';
        return false;
    }
    snprintf(buf, size, "%.*s", (int)n, p);
    return true;
}

bool ap_aws__is_account_id(const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0'; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return i == 12;
}

/* ---- Pass 1: who is here ---- */

const char *ap_aws__str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The default version's document of a managed policy (NULL when it has none). */
static int default_document(aws *a, const json_t *pol, size_t pos, json_t **doc)
{
    const json_t *versions = json_object_get(pol, "PolicyVersionList");
    const char *dflt = ap_aws__str(pol, "DefaultVersionId");
    char why[200];
    *doc = NULL;
    for (size_t i = 0; i < json_array_size(versions); i++) {
        const json_t *v = json_array_get(versions, i);
        const char *vid = ap_aws__str(v, "VersionId");
        if (!json_is_true(json_object_get(v, "IsDefaultVersion"))
            && !(dflt != NULL && vid != NULL && strcmp(dflt, vid) == 0))
            continue;
        int rc = ap_aws__doc(doc, json_object_get(v, "Document"), why, sizeof why);
        if (rc == AP_EINPUT) {
            size_t vp = ap_json__find_index(&a->t, ap_json__find_key(&a->t, pos,
                                                                     "PolicyVersionList"), i);
            return ap_aws__fail(a, ap_json__find_key(&a->t, vp, "Document"), "%s", why);
        }
        return rc;
    }
    return AP_OK;
}

/* The offset of a managed policy's default document (the policy's own when not found). */
static size_t document_pos(aws *a, const json_t *p, size_t pos)
{
    const json_t *versions = json_object_get(p, "PolicyVersionList");
    const char *dflt = ap_aws__str(p, "DefaultVersionId");
    size_t vpos = ap_json__find_key(&a->t, pos, "PolicyVersionList");
    for (size_t k = 0; k < json_array_size(versions); k++) {
        const json_t *v = json_array_get(versions, k);
        const char *vid = ap_aws__str(v, "VersionId");
        if (json_object_get(v, "Document") != NULL
            && (json_is_true(json_object_get(v, "IsDefaultVersion"))
                || (dflt != NULL && vid != NULL && strcmp(dflt, vid) == 0)))
            return ap_json__find_key(&a->t, ap_json__find_index(&a->t, vpos, k), "Document");
    }
    return pos;
}

/* Index one principal list: ARNs, accounts, names. kind is "user", "group" or "role". */
static int index_list(aws *a, const json_t *list, const size_t *pos, const char *kind,
                      const char *name_key)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *arn = ap_aws__str(e, "Arn"), *name = ap_aws__str(e, name_key);
        char acct[32], key[600];
        ap_aws__at(a, pos[i]);
        if (json_is_object(e) && name == NULL && json_object_get(e, name_key) != NULL) {
            /* there, but not text (a number, a list...): say so where it stands */
            ap_aws__fail(a, ap_json__find_key(&a->t, pos[i], name_key),
                         "'%s' must be a string", name_key);
            continue;
        }
        if (json_is_object(e) && arn != NULL && strlen(arn) > AWS_ARN_MAX) {
            ap_aws__fail(a, ap_json__find_key(&a->t, pos[i], "Arn"), "an 'Arn' is longer than "
                         "2048 bytes (AWS's limit)%s", NULL);
            continue;
        }
        if (json_is_object(e) && name != NULL && strlen(name) > AWS_NAME_MAX) {
            ap_aws__fail(a, ap_json__find_key(&a->t, pos[i], name_key), "'%s' is longer than "
                         "128 bytes (AWS's limit)", name_key);
            continue;
        }
        if (!json_is_object(e) || arn == NULL || name == NULL
            || !ap_aws__arn_field(arn, 4, acct, sizeof acct)) {
            ap_aws__fail(a, SIZE_MAX, "a %s needs an 'Arn' (arn:aws:iam::ACCOUNT:...) and a name",
                         kind);
            continue;
        }
        json_object_set_new(a->home, acct, json_true());
        json_object_set_new(a->principals, arn, json_string(kind));
        snprintf(key, sizeof key, "%s/%s/%s", acct, kind, name);
        json_object_set_new(a->by_name, key, json_string(arn));
        if (strcmp(kind, "role") == 0)
            json_object_set_new(a->roles, arn, json_pack("{s:s}", "name", name));
        if (strcmp(kind, "group") == 0)
            json_object_set_new(a->group_elems, arn, json_pack("[O, I]", e, (json_int_t)pos[i]));
    }
    return AP_OK;
}

/* The gates: write-admin on every IAM resource takes over every principal; sts:AssumeRole on
 * every resource reaches every role whose trust lets this account in. */
static int gates(aws *a)
{
    const char *arn;
    json_t *v;
    if (a->gate_iam)
        json_object_foreach(a->principals, arn, v) {
            item *x = ap_aws__edge(a, "aws:iam:*", "admin_of", arn);
            if (x == NULL)
                return AP_ENOMEM;
            json_object_set_new(x->obj, "requires", json_pack("[s]", "admin"));
            json_object_set_new(x->obj, "escalates", json_true());
            json_object_set_new(x->obj, "escalation", json_true());
            json_object_set_new(x->obj, "via", json_string("IAM write actions on every "
                                                           "resource"));
        }
    if (a->gate_sts)
        json_object_foreach(a->roles, arn, v) {
            item *x;
            if (!json_is_true(json_object_get(v, "trust_root")))
                continue;
            if ((x = ap_aws__edge(a, "aws:sts:*", "can_assume", arn)) == NULL)
                return AP_ENOMEM;
            json_object_set_new(x->obj, "requires", json_pack("[s]", "execute"));
            json_object_set_new(x->obj, "via", json_string("sts:AssumeRole on every role"));
        }
    return AP_OK;
}

static int stage(aws *a, ap_error *err)
{
    const ap_vocab *v = ap_store_vocab(a->ctx->st);
    int rc;
    for (size_t i = 0; i < a->nodes.n; i++) {
        a->cur = (aws_pos){ a->nodes.v[i].line, a->nodes.v[i].col };
        if ((rc = ap_import__native_node(a->ctx, i, a->nodes.v[i].obj, err)) < 0
            && rc != AP_EINPUT)
            return rc;
    }
    for (size_t i = 0; i < a->edges.n; i++) {
        item *x = &a->edges.v[i];
        if (strcmp(json_string_value(json_object_get(x->obj, "kind")), "access") == 0) {
            json_t *names = json_array();
            for (unsigned b = 0; names != NULL && b < v->count; b++)
                if (x->rights & ((ap_rights)1 << b))
                    json_array_append_new(names, json_string(v->names[b]));
            if (names == NULL || json_object_set_new(x->obj, "rights", names) < 0)
                return ap_error_nomem(err);
        }
        a->cur = (aws_pos){ x->line, x->col };
        if ((rc = ap_import__native_edge(a->ctx, i, x->obj, err)) < 0 && rc != AP_EINPUT)
            return rc;
    }
    return AP_OK;
}

static void free_items(items *it)
{
    for (size_t i = 0; i < it->n; i++)
        json_decref(it->v[i].obj);
    free(it->v);
    json_decref(it->index);
}

static const char *const lists[] = { "UserDetailList", "GroupDetailList", "RoleDetailList",
                                     "Policies" };

int ap_import__aws_iam(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    aws a;
    json_error_t je;
    json_t *doc;
    const json_t *l[4];
    size_t *pos[4] = { NULL, NULL, NULL, NULL }, npos[4] = { 0, 0, 0, 0 }, top;
    int rc = AP_OK, found = 0;
    if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    if (ctx->aws_vendors == NULL && ctx->opts->aws_accounts != NULL
        && (rc = ap_import__aws_vendors(&ctx->aws_vendors, ctx->opts->aws_accounts, err)) < 0) {
        json_decref(doc);
        return rc;
    }
    memset(&a, 0, sizeof a);
    a.ctx = ctx;
    a.nodes.index = json_object();
    a.edges.index = json_object();
    a.home = json_object();
    a.roles = json_object();
    a.principals = json_object();
    a.by_name = json_object();
    a.documents = json_object();
    a.doc_pos = json_object();
    a.group_elems = json_object();
    ctx->locate = locate_cur;
    ctx->locate_ctx = &a.cur;
    if (ap_json__text_init(&a.t, text, len) < 0 || a.nodes.index == NULL
        || a.edges.index == NULL || a.home == NULL || a.roles == NULL || a.principals == NULL
        || a.by_name == NULL || a.documents == NULL || a.doc_pos == NULL
        || a.group_elems == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    top = ap_json__skip_ws(&a.t, 0);
    ap_aws__at(&a, top);
    for (int i = 0; i < 4; i++) {
        l[i] = json_is_object(doc) ? json_object_get(doc, lists[i]) : NULL;
        if (l[i] != NULL && !json_is_array(l[i])) {
            rc = ap_aws__fail(&a, ap_json__find_key(&a.t, top, lists[i]), "'%s' must be a list",
                              lists[i]);
            goto cleanup;
        }
        found |= l[i] != NULL;
        if (ap_json__elements(&a.t, ap_json__find_key(&a.t, top, lists[i]), &pos[i],
                              &npos[i]) < 0 || npos[i] < json_array_size(l[i])) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    if (!found) {
        rc =
            ap_aws__fail(&a, top,
                         "not the output of aws iam get-account-authorization-details "
                         "(expected UserDetailList, GroupDetailList, RoleDetailList or Policies)%s",
                         NULL);
        goto cleanup;
    }
    if (json_is_true(json_object_get(doc, "IsTruncated"))) {
        ap_aws__at(&a, ap_json__find_key(&a.t, top, "IsTruncated"));
        ap_aws__note(&a, "the output is one page of several (IsTruncated): export every page, e.g. "
                         "without --max-items");
    }
    /* pass 1: who is here, and the managed policies' documents */
    index_list(&a, l[0], pos[0], "user", "UserName");
    index_list(&a, l[1], pos[1], "group", "GroupName");
    index_list(&a, l[2], pos[2], "role", "RoleName");
    for (size_t i = 0; i < json_array_size(l[3]); i++) {
        const json_t *p = json_array_get(l[3], i);
        const char *arn = ap_aws__str(p, "Arn");
        char acct[32];
        json_t *n;
        ap_aws__at(&a, pos[3][i]);
        if (!json_is_object(p) || arn == NULL || ap_aws__str(p, "PolicyName") == NULL) {
            ap_aws__fail(&a, SIZE_MAX, "a policy needs an 'Arn' and a 'PolicyName'%s", NULL);
            continue;
        }
        if (strlen(arn) > AWS_ARN_MAX) {
            ap_aws__fail(&a, ap_json__find_key(&a.t, pos[3][i], "Arn"), "an 'Arn' is longer "
                         "than 2048 bytes (AWS's limit)%s", NULL);
            continue;
        }
        if ((n = ap_aws__node(&a, arn, AP_KIND_ROLE, ap_aws__str(p, "PolicyName"),
                              "aws_managed_policy"))
            == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        if (ap_aws__arn_field(arn, 4, acct, sizeof acct) && strcmp(acct, "aws") == 0)
            json_object_set_new(n, "aws_managed", json_true());
        json_t *d = NULL;
        if ((rc = default_document(&a, p, pos[3][i], &d)) < 0 && rc != AP_EINPUT)
            goto cleanup;
        if (d != NULL) {
            json_object_set_new(a.documents, arn, d);
            json_object_set_new(a.doc_pos, arn,
                                json_integer((json_int_t)document_pos(&a, p, pos[3][i])));
        }
        else if (rc == AP_OK)
            json_object_set_new(n, "unresolved", json_true());
    }
    /* pass 2: principals, then trust, then what the policies grant */
    for (size_t i = 0; i < json_array_size(l[2]); i++)
        if ((rc = ap_aws__read_role_node(&a, json_array_get(l[2], i), pos[2][i])) < 0)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[1]); i++)
        if ((rc = ap_aws__read_group(&a, json_array_get(l[1], i), pos[1][i], true)) < 0)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[0]); i++)
        if ((rc = ap_aws__read_user(&a, json_array_get(l[0], i), pos[0][i], true)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[2]); i++) {
        const json_t *e = json_array_get(l[2], i);
        if (ap_aws__str(e, "Arn") != NULL && json_object_get(a.roles, ap_aws__str(e, "Arn")) != NULL
            && (rc = ap_aws__read_trust(
                    &a, ap_aws__str(e, "Arn"), json_object_get(e, "AssumeRolePolicyDocument"),
                    ap_json__find_key(&a.t, pos[2][i], "AssumeRolePolicyDocument")))
                   < 0
            && rc != AP_EINPUT)
            goto nomem;
    }
    for (size_t i = 0; i < json_array_size(l[1]); i++)
        if ((rc = ap_aws__read_group(&a, json_array_get(l[1], i), pos[1][i], false)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[0]); i++)
        if ((rc = ap_aws__read_user(&a, json_array_get(l[0], i), pos[0][i], false)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[2]); i++)
        if ((rc = ap_aws__read_role(&a, json_array_get(l[2], i), pos[2][i])) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[3]); i++) {
        const json_t *p = json_array_get(l[3], i);
        const char *arn = ap_aws__str(p, "Arn");
        const json_t *d = arn != NULL ? json_object_get(a.documents, arn) : NULL;
        size_t dpos;
        if (d == NULL)
            continue;
        dpos = (size_t)json_integer_value(json_object_get(a.doc_pos, arn));
        if ((rc = ap_aws__read_policy(&a, arn, NULL, d, dpos)) < 0 && rc != AP_EINPUT)
            goto nomem;
    }
    if ((rc = gates(&a)) < 0)
        goto nomem;
    rc = stage(&a, err);
    goto cleanup;
nomem:
    rc = rc == AP_ENOMEM ? ap_error_nomem(err) : rc;
cleanup:
    ctx->locate = NULL;
    for (int i = 0; i < 4; i++)
        free(pos[i]);
    free_items(&a.nodes);
    free_items(&a.edges);
    json_decref(a.home);
    json_decref(a.roles);
    json_decref(a.principals);
    json_decref(a.by_name);
    json_decref(a.documents);
    json_decref(a.doc_pos);
    json_decref(a.group_elems);
    ap_json__text_free(&a.t);
    json_decref(doc);
    return rc;
}
