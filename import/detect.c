/* import/detect.c: what a document is, from its shape, before any reader parses it. Routes each
 * file to the reader that takes its shape, or refuses it naming what it looks like. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "import_internal.h"

/* A reader plugs in here: give its shape's row below a reader, its ap_format (and its --as name
 * when --as may force any JSON onto it), and detection routes to it instead of refusing; say so
 * in `authpath import --help`, which the refusal points to. A row without a reader is a shape authpath knows but does
 * not read yet: its files are refused with what they look like. */

#define PEEK_MAX_KEYS 64

/* One key of an object found by peeking, and where its value starts. */
typedef struct {
    const char *key;        /* raw text of the key, without quotes; not NUL-terminated */
    size_t klen;
    size_t at;              /* JSON: the value's offset; YAML: the value text's offset */
} peek_key;

typedef struct {
    peek_key k[PEEK_MAX_KEYS];
    size_t n;
} peek_obj;

/* What detection looks at: the top value (object or list) and, for a list or for an object
 * holding one, the keys of its first element. */
typedef struct {
    const char *text;
    size_t len;
    ap_syntax sx;
    char top;               /* '{' an object (or YAML mapping), '[' a list, 0 anything else */
    peek_obj obj;           /* the top object's keys */
    peek_obj elem;          /* the first element's keys: of the top list, or of the list
                             * found by elem_of() */
    int have_elem;          /* there is a first element and it is an object */
    size_t first;           /* offset of the document's first value */
} peek;

/* ---- syntax ---- */

/* JSON starts with { or [. CSV's first line is a header: names joined by commas (a nodes or
 * edges file), or one bare word (a rights file); a YAML line names a key with ": " or a final
 * ':', or starts with one of - # % ? ! & *. Anything else is YAML. */
ap_syntax ap_import__syntax(const char *text, size_t len)
{
    size_t i = 0, eol, k;
    const char *line, *nl;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i < len && (text[i] == '{' || text[i] == '['))
        return AP_SYNTAX_JSON;
    while (i > 0 && text[i - 1] != '\n')       /* the first line that is not blank */
        i--;
    line = text + i;
    nl = memchr(line, '\n', len - i);
    eol = nl != NULL ? (size_t)(nl - line) : len - i;
    if (eol > 0 && line[eol - 1] == '\r')
        eol--;
    if (eol == 0 || strchr("-#%?!&*", line[0]) != NULL)
        return AP_SYNTAX_YAML;
    for (k = 0; k < eol; k++)
        if (line[k] == ':' && (k + 1 == eol || line[k + 1] == ' ' || line[k + 1] == '\t'))
            return AP_SYNTAX_YAML;
    if (memchr(line, ',', eol) != NULL)
        return AP_SYNTAX_CSV;
    for (k = 0; k < eol; k++)
        if (line[k] == ' ' || line[k] == '\t' || line[k] == ':')
            return AP_SYNTAX_YAML;
    return AP_SYNTAX_CSV;       /* a one-column CSV such as the rights file */
}

/* ---- peeking into JSON: keys and values by walking the text (json_walk.c), unparsed ---- */

static void json_keys(const ap_json_text *t, size_t i, peek_obj *o)
{
    o->n = 0;
    i = ap_json__skip_ws(t, i);
    if (i >= t->len || t->s[i] != '{')
        return;
    for (i = ap_json__skip_ws(t, i + 1); i < t->len && t->s[i] == '"' && o->n < PEEK_MAX_KEYS;) {
        size_t end = ap_json__skip_value(t, i), v;
        if (end < i + 2 || end > t->len)
            return;
        v = ap_json__skip_ws(t, end);
        if (v >= t->len || t->s[v] != ':')
            return;
        v = ap_json__skip_ws(t, v + 1);
        o->k[o->n++] = (peek_key){ t->s + i + 1, end - i - 2, v };
        i = ap_json__skip_ws(t, ap_json__skip_value(t, v));
        if (i < t->len && t->s[i] == ',')
            i = ap_json__skip_ws(t, i + 1);
    }
}

/* ---- peeking into YAML: the first document's top-level keys, one per line at column 0 ---- */

static size_t line_end(const char *s, size_t len, size_t i)
{
    const char *nl = memchr(s + i, '\n', len - i);
    return nl != NULL ? (size_t)(nl - s) : len;
}

/* A "key: value" line at indent ind: adds the key. Returns 0 when the line is not one. */
static int yaml_key_line(const char *s, size_t i, size_t eol, size_t ind, peek_obj *o)
{
    size_t k = i + ind, end;
    char q = 0;
    if (k >= eol || s[k] == ' ' || s[k] == '#' || s[k] == '-')
        return 0;
    if (s[k] == '"' || s[k] == '\'')
        q = s[k++];
    for (end = k; end < eol; end++)
        if (q ? s[end] == q : (s[end] == ':' && (end + 1 == eol || s[end + 1] == ' '
                                                 || s[end + 1] == '\r')))
            break;
    if (end >= eol)
        return 0;
    if (o->n < PEEK_MAX_KEYS) {
        size_t v = end + (q ? 2 : 1);
        while (v < eol && s[v] == ' ')
            v++;
        o->k[o->n++] = (peek_key){ s + k, end - k, v };
    }
    return 1;
}

static void yaml_peek(peek *p)
{
    const char *s = p->text;
    size_t i = 0, len = p->len, eol;
    int started = 0;
    for (; i < len; i = eol + 1) {
        size_t k = i;
        eol = line_end(s, len, i);
        while (k < eol && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
            k++;
        if (k == eol || s[i] == '#' || s[i] == '%')
            continue;                   /* blank, a comment, a directive */
        if (eol - i >= 3 && memcmp(s + i, "---", 3) == 0) {
            if (started)
                return;             /* the first document ends */
            continue;
        }
        if (!started) {
            started = 1;
            p->first = i;
            if (s[i] == '-' && (i + 1 == eol || s[i + 1] == ' ')) {
                p->top = '[';
                p->have_elem = yaml_key_line(s, i, eol, 2, &p->elem);
                for (i = eol + 1; i < len && p->have_elem; i = eol + 1) {
                    eol = line_end(s, len, i);
                    if (eol - i < 2 || s[i] != ' ' || s[i + 1] != ' ')
                        break;      /* the first item ends */
                    yaml_key_line(s, i, eol, 2, &p->elem);
                }
                return;
            }
        }
        if (s[i] == ' ' || s[i] == '\t')
            continue;
        if (yaml_key_line(s, i, eol, 0, &p->obj))
            p->top = '{';
    }
}

/* ---- what the shapes ask ---- */

static const peek_key *find(const peek_obj *o, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < o->n; i++)
        if (o->k[i].klen == n && memcmp(o->k[i].key, key, n) == 0)
            return &o->k[i];
    return NULL;
}

static int has(const peek_obj *o, const char *key)
{
    return find(o, key) != NULL;
}

/* The string value of key, as written (escapes left as they are), cut to fit. 0 when there is
 * none or it is not a plain string. */
static int str(const peek *p, const peek_obj *o, const char *key, char *buf, size_t size)
{
    const peek_key *k = find(o, key);
    size_t i, n = 0;
    char q = 0;
    buf[0] = '\0';
    if (k == NULL || k->at >= p->len)
        return 0;
    i = k->at;
    if (p->text[i] == '"' || p->text[i] == '\'')
        q = p->text[i++];
    else if (p->sx == AP_SYNTAX_JSON)
        return 0;
    for (; i < p->len && n + 1 < size; i++) {
        char c = p->text[i];
        if (q ? c == q : (c == '\n' || c == '\r' || c == ' ' || c == '#'))
            break;
        if (q == '"' && c == '\\' && i + 1 < p->len)
            c = p->text[++i];
        buf[n++] = (unsigned char)c < 0x20 ? '?' : c;
    }
    buf[n] = '\0';
    return n > 0;
}

/* Does the value of key start with prefix? */
static int starts(const peek *p, const peek_obj *o, const char *key, const char *prefix)
{
    char buf[128];
    return str(p, o, key, buf, sizeof buf) && strncmp(buf, prefix, strlen(prefix)) == 0;
}

/* Does text[0, n) hold needle, in any case? */
static int contains_ci(const char *text, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(text + i, needle, m) == 0)
            return 1;
    return 0;
}

/* Does any string value of the object mention needle (case-insensitive)? */
static int mentions(const peek *p, const peek_obj *o, const char *needle)
{
    char buf[256];
    for (size_t i = 0; i < o->n; i++) {
        char key[64];
        size_t n = o->k[i].klen < sizeof key - 1 ? o->k[i].klen : sizeof key - 1;
        memcpy(key, o->k[i].key, n);
        key[n] = '\0';
        if (str(p, o, key, buf, sizeof buf) && contains_ci(buf, strlen(buf), needle))
            return 1;
    }
    return 0;
}

/* JSON only: the keys of the first element of the list that key holds (in p->elem). */
static int elem_of(peek *p, const char *key)
{
    ap_json_text t = { p->text, p->len, NULL, 0 };
    const peek_key *k = find(&p->obj, key);
    size_t first;
    p->have_elem = 0;
    p->elem.n = 0;
    if (p->sx != AP_SYNTAX_JSON || k == NULL || k->at >= p->len || p->text[k->at] != '[')
        return 0;
    first = ap_json__find_index(&t, k->at, 0);
    if (first == SIZE_MAX || p->text[first] != '{')
        return 0;
    json_keys(&t, first, &p->elem);
    return p->have_elem = 1;
}

/* The value of key is an empty list. */
static int empty_list(const peek *p, const peek_obj *o, const char *key)
{
    const peek_key *k = find(o, key);
    ap_json_text t = { p->text, p->len, NULL, 0 };
    return k != NULL && k->at < p->len && p->text[k->at] == '['
        && ap_json__find_index(&t, k->at, 0) == SIZE_MAX;
}

/* ---- the shapes: each says whether p is one, and if so writes what it is into what ---- */

static int is_opengraph(peek *p, char *what, size_t size)
{
    snprintf(what, size, "BloodHound OpenGraph");
    return p->top == '{' && p->sx == AP_SYNTAX_JSON && has(&p->obj, "graph");
}

static int is_aws_authz(peek *p, char *what, size_t size)
{
    snprintf(what, size, "AWS IAM authorization details");
    return p->top == '{' && p->sx == AP_SYNTAX_JSON
        && (has(&p->obj, "UserDetailList") || has(&p->obj, "RoleDetailList")
            || has(&p->obj, "GroupDetailList") || has(&p->obj, "Policies"));
}

static int is_native(peek *p, char *what, size_t size)
{
    snprintf(what, size, "an authpath/1 inventory");
    if (p->sx == AP_SYNTAX_CSV)     /* the CSV reader knows its headers and names the columns
                                     * it expects; an IAM credential report is named here */
        return !(p->len >= 9 && strncmp(p->text, "user,arn,", 9) == 0);
    return p->top == '{' && (has(&p->obj, "format") || has(&p->obj, "nodes")
                             || has(&p->obj, "edges") || has(&p->obj, "rights"));
}

static int is_k8s_list(peek *p, char *what, size_t size)
{
    char kind[64], item[64];
    if (p->top != '{' || !has(&p->obj, "items") || !has(&p->obj, "apiVersion"))
        return 0;
    if (str(p, &p->obj, "kind", kind, sizeof kind) && strcmp(kind, "List") != 0
        && (strlen(kind) < 4 || strcmp(kind + strlen(kind) - 4, "List") != 0))
        return 0;
    if (elem_of(p, "items") && str(p, &p->elem, "kind", item, sizeof item))
        snprintf(what, size, "a Kubernetes List of %s", item);
    else if (empty_list(p, &p->obj, "items"))
        snprintf(what, size, "an empty Kubernetes List");
    else
        snprintf(what, size, "a Kubernetes List");
    return 1;
}


static int is_k8s_audit(peek *p, char *what, size_t size)
{
    snprintf(what, size, "a Kubernetes audit event");
    return p->top == '{' && (has(&p->obj, "auditID") || starts(p, &p->obj, "apiVersion",
                                                                 "audit.k8s.io"));
}

static int is_k8s_object(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '{' || !has(&p->obj, "apiVersion") || !str(p, &p->obj, "kind", kind,
                                                                sizeof kind))
        return 0;
    snprintf(what, size, "a Kubernetes %s manifest", kind);
    return 1;
}

/* ---- Kubernetes RBAC, which the k8s reader reads (k8s.c) ---- */

static const char *const rbac_kinds[] = { "ServiceAccount", "Secret", "Role", "ClusterRole",
                                          "RoleBinding", "ClusterRoleBinding", NULL };

static int rbac_kind(const char *s, size_t n)
{
    for (size_t i = 0; rbac_kinds[i] != NULL; i++)
        if (strlen(rbac_kinds[i]) == n && memcmp(rbac_kinds[i], s, n) == 0)
            return 1;
    return 0;
}

/* Any document of a YAML stream with a top-level "kind: " of an RBAC kind (manifests mix
 * Pods and RBAC objects; the first document alone does not say). */
static int yaml_names_rbac(const char *text, size_t len)
{
    for (size_t i = 0, eol; i < len; i = eol + 1) {
        size_t k = i + 5, e;
        eol = line_end(text, len, i);
        if (eol - i <= 5 || memcmp(text + i, "kind:", 5) != 0)
            continue;
        while (k < eol && text[k] == ' ')
            k++;
        for (e = eol; e > k && (text[e - 1] == ' ' || text[e - 1] == '\r'); e--)
            ;
        if (e - k >= 2 && (text[k] == '"' || text[k] == '\'') && text[e - 1] == text[k])
            k++, e--;
        if (rbac_kind(text + k, e - k))
            return 1;
    }
    return 0;
}

/* A List whose first item is an RBAC object (kubectl get serviceaccounts,roles,... -o json). */
static int is_k8s_rbac_list(peek *p, char *what, size_t size)
{
    char item[64];
    return is_k8s_list(p, what, size) && elem_of(p, "items")
           && str(p, &p->elem, "kind", item, sizeof item) && rbac_kind(item, strlen(item));
}

/* A JSON list of Lists (or of objects), as KubiScan saves `kubectl get -o json` output. */
static int is_k8s_lists(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '[' || !p->have_elem || !has(&p->elem, "apiVersion")
        || !str(p, &p->elem, "kind", kind, sizeof kind))
        return 0;
    snprintf(what, size, "a list of Kubernetes %s", strcmp(kind, "List") == 0 ? "Lists" : kind);
    return 1;
}

/* An RBAC object, or YAML manifests of which one document is. */
static int is_k8s_rbac_object(peek *p, char *what, size_t size)
{
    char kind[64];
    if (!is_k8s_object(p, what, size))
        return 0;
    str(p, &p->obj, "kind", kind, sizeof kind);
    return rbac_kind(kind, strlen(kind))
           || (p->sx == AP_SYNTAX_YAML && yaml_names_rbac(p->text, p->len));
}

/* AzureHound and SharpHound write {"data": [...], "meta": {"type": ...}}. */
static int is_azurehound_fic(peek *p, char *what, size_t size)
{
    char kind[64];
    snprintf(what, size, "AzureHound federated identity credentials");
    return p->top == '{' && has(&p->obj, "meta") && has(&p->obj, "data")
        && elem_of(p, "data") && str(p, &p->elem, "kind", kind, sizeof kind)
        && strcmp(kind, "AZFederatedIdentityCredential") == 0;
}

/* ROADtools' firstpartyscopes.json: Microsoft's apps and their pre-consented scopes. */
static int is_roadtools(peek *p, char *what, size_t size)
{
    snprintf(what, size, "ROADtools first-party scopes");
    return p->top == '{' && has(&p->obj, "apps") && has(&p->obj, "resourceidentifiers");
}

static int is_hound(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '{' || !has(&p->obj, "meta") || !has(&p->obj, "data"))
        return 0;
    if (elem_of(p, "data") && str(p, &p->elem, "kind", kind, sizeof kind)
        && strncmp(kind, "AZ", 2) == 0)
        snprintf(what, size, "AzureHound output (%s)", kind);
    else
        snprintf(what, size, "SharpHound or AzureHound output");
    return 1;
}

/* An OData context "...$metadata#servicePrincipals('id')/appRoleAssignedTo" names what the
 * response holds: the part after '#', without the keys in parentheses. */
static void odata_entity(const char *ctx, char *out, size_t size)
{
    const char *s = strchr(ctx, '#');
    size_t n = 0;
    int depth = 0;
    for (s = s != NULL ? s + 1 : ctx; *s != '\0' && n + 1 < size; s++) {
        if (*s == '(')
            depth++;
        else if (*s == ')')
            depth--;
        else if (depth == 0)
            out[n++] = *s;
    }
    out[n] = '\0';
}

static int is_msgraph(peek *p, char *what, size_t size)
{
    char buf[200], entity[120];
    const char *slash;
    if (p->top != '{')
        goto list;
    if (str(p, &p->obj, "@odata.context", buf, sizeof buf)) {
        odata_entity(buf, entity, sizeof entity);
        snprintf(what, size, "Microsoft Graph %s", entity);
        return 1;
    }
    if (str(p, &p->obj, "@odata.type", buf, sizeof buf)) {
        snprintf(what, size, "a Microsoft Graph %s", strrchr(buf, '.') != NULL
                 ? strrchr(buf, '.') + 1 : buf);
        return 1;
    }
    if (has(&p->obj, "appOwnerOrganizationId") || has(&p->obj, "servicePrincipalType")) {
        snprintf(what, size, "a Microsoft Graph servicePrincipal");
        return 1;
    }
list:
    if (p->top == '[' && p->have_elem && p->sx == AP_SYNTAX_JSON
        && (has(&p->elem, "appOwnerOrganizationId") || has(&p->elem, "servicePrincipalType")
            || has(&p->elem, "consentType") || (has(&p->elem, "appRoleId")
                                                && has(&p->elem, "principalId"))
            || (has(&p->elem, "customer") && has(&p->elem, "accessDetails"))
            || has(&p->elem, "accessContainer") || has(&p->elem, "@odata.context")
            || (has(&p->elem, "roleDefinitionId") && has(&p->elem, "principalId")))) {
        snprintf(what, size, "a list of Microsoft Graph objects");
        return 1;
    }
    if (p->top != '{' || !has(&p->obj, "value") || p->obj.n > 3)
        return 0;
    if (elem_of(p, "value") && str(p, &p->elem, "@odata.type", buf, sizeof buf)) {
        snprintf(what, size, "Microsoft Graph %s", strrchr(buf, '.') != NULL
                 ? strrchr(buf, '.') + 1 : buf);
    } else if (p->have_elem && str(p, &p->elem, "@odata.id", buf, sizeof buf)
               && (slash = strrchr(buf, '/')) != NULL && slash > buf) {
        const char *from = slash - 1;           /* ".../federatedIdentityCredentials/ID" */
        while (from > buf && from[-1] != '/')
            from--;
        snprintf(what, size, "Microsoft Graph %.*s", (int)(slash - from), from);
    } else {
        snprintf(what, size, "a Microsoft Graph (OData) list");
    }
    return 1;
}

static int is_credential_report(peek *p, char *what, size_t size)
{
    snprintf(what, size, "an IAM credential report");
    if (p->sx == AP_SYNTAX_CSV)
        return 1;
    return p->top == '{' && (starts(p, &p->obj, "Content", "user,arn")
                             || (has(&p->obj, "GeneratedTime") && has(&p->obj, "Content")));
}

static int is_aws_other(peek *p, char *what, size_t size)
{
    if (p->top != '{')
        return 0;
    if (has(&p->obj, "SummaryMap"))
        snprintf(what, size, "an IAM account summary (get-account-summary)");
    else if (has(&p->obj, "JobStatus") && (has(&p->obj, "EntityDetailsList")
                                           || has(&p->obj, "ServicesLastAccessed")))
        snprintf(what, size, "IAM service-last-accessed details");
    else if (has(&p->obj, "Records"))
        snprintf(what, size, "CloudTrail records");
    else if (has(&p->obj, "Events") && elem_of(p, "Events") && has(&p->elem, "CloudTrailEvent"))
        snprintf(what, size, "CloudTrail lookup-events output");
    else
        return 0;
    return 1;
}

static int is_cloudtrail_list(peek *p, char *what, size_t size)
{
    snprintf(what, size, "CloudTrail records");
    return p->top == '[' && p->have_elem && has(&p->elem, "eventSource")
        && has(&p->elem, "eventName");
}

static int is_github(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    if (p->top == '[' && !p->have_elem)
        return 0;
    if (p->top == '{' && has(&p->obj, "total_count") && p->obj.n == 2) {
        const peek_key *k = &p->obj.k[p->obj.k[0].klen == 11
                                      && memcmp(p->obj.k[0].key, "total_count", 11) == 0];
        char key[64], shown[40];
        snprintf(key, sizeof key, "%.*s", (int)(k->klen < 63 ? k->klen : 63), k->key);
        ap_import__quote(shown, sizeof shown, key);
        snprintf(what, size, "a GitHub API response (%s)", shown);
        return 1;
    }
    if (!has(o, "node_id") && !mentions(p, o, "api.github.com"))
        return 0;
    snprintf(what, size, "a GitHub API response");
    return 1;
}

static int is_scim(peek *p, char *what, size_t size)
{
    snprintf(what, size, "a SCIM list response");
    return p->top == '{' && has(&p->obj, "schemas") && has(&p->obj, "Resources");
}

static int is_graphql(peek *p, char *what, size_t size)
{
    snprintf(what, size, "a GraphQL response");
    return p->top == '{' && p->obj.n <= 2 && p->sx == AP_SYNTAX_JSON && has(&p->obj, "data")
        && find(&p->obj, "data")->at < p->len && p->text[find(&p->obj, "data")->at] == '{';
}

/* The Okta Management API: HAL links, Okta resource names, and Okta in the text. */
static int is_okta(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    snprintf(what, size, "an Okta API response");
    if (p->top == 0 || (p->top == '[' && !p->have_elem))
        return 0;
    if (!has(o, "_links") && !has(o, "orn") && !has(o, "signOnMode") && !has(o, "jwks")
        && !has(o, "subdomain") && !(has(o, "profile") && has(o, "credentials"))
        && !(p->top == '{' && p->obj.n <= 2 && (has(o, "roles") || has(o, "permissions"))))
        return 0;
    return has(o, "orn") || contains_ci(p->text, p->len < 65536 ? p->len : 65536, "okta");
}

/* Microsoft Graph PowerShell (ScubaGear's exports, microsoft-info): PascalCase Entra objects. */
static int is_graph_powershell(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    static const char *const keys[] = { "AppId", "AppRoleId", "ServicePrincipalType",
                                        "ResourceDisplayName", "AllowedMemberTypes",
                                        "AdminConsentDisplayName", "Issuer",
                                        "RoleDefinitionId", "ConsentType",
                                        "AccessContainer" };
    snprintf(what, size, "Microsoft Graph PowerShell output");
    if (p->top == 0 || (p->top == '[' && !p->have_elem))
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (has(o, keys[i]))
            return 1;
    return 0;
}

static int is_other(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    if (p->top == '{' && (has(o, "$schema") || (has(o, "title") && has(o, "properties")
                                                && has(o, "type"))))
        snprintf(what, size, "a JSON Schema");
    else if (has(o, "AnalysisType") && has(o, "RuleID"))
        snprintf(what, size, "a Panther detection rule");
    else if (p->top == '[' && p->have_elem && has(o, "accounts") && has(o, "name"))
        snprintf(what, size, "a list of known AWS accounts (give it to --aws-accounts)");
    else if (has(o, "baseline_version") && has(o, "module_version"))
        snprintf(what, size, "a ScubaGear provider settings export");
    else
        return 0;
    return 1;
}

/* Anything else: its bare shape, naming a few of its keys. */
static void describe(const peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    const char *sx = p->sx == AP_SYNTAX_JSON ? "JSON" : "YAML";
    size_t n = 0;
    char keys[160] = "";
    for (size_t i = 0; i < o->n && i < 3; i++) {     /* a few, short: the message has 256 bytes */
        char q[64], k[64];
        size_t kl = o->k[i].klen < sizeof k - 1 ? o->k[i].klen : sizeof k - 1;
        memcpy(k, o->k[i].key, kl);
        k[kl] = '\0';
        ap_import__quote(q, 16, k);
        n += (size_t)snprintf(keys + n, sizeof keys - n, "%s'%s'", i > 0 ? ", " : "", q);
        if (n >= sizeof keys)
            break;
    }
    if (o->n > 3 && n < sizeof keys)
        snprintf(keys + n, sizeof keys - n, ", ...");
    for (n = 0; n < p->len && strchr(" \t\r\n", p->text[n]) != NULL; n++)
        continue;
    if (n == p->len)
        snprintf(what, size, "an empty file");
    else if (p->top == '{')
        snprintf(what, size, "a %s %s with keys %s", sx, p->sx == AP_SYNTAX_JSON ? "object"
                 : "mapping", o->n > 0 ? keys : "(none)");
    else if (p->top == '[' && p->have_elem)
        snprintf(what, size, "a %s list of objects with keys %s", sx, keys);
    else if (p->top == '[')
        snprintf(what, size, "a %s list", sx);
    else
        snprintf(what, size, "%s text that is neither an object nor a list", sx);
}

static int read_native(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    switch (ap_import__syntax(text, len)) {
    case AP_SYNTAX_JSON: return ap_import__json(ctx, text, len, err);
    case AP_SYNTAX_CSV: return ap_import__csv(ctx, text, len, err);
    default: return ap_import__yaml(ctx, text, len, err);
    }
}

typedef struct {
    int (*match)(peek *p, char *what, size_t size);
    ap_reader_fn read;      /* NULL: known, not read (yet): refused with what it looks like */
    ap_format format;       /* what --as calls it (AP_FORMAT_COUNT: nothing) */
    const char *as;         /* its --as name, when --as may force a file onto the reader
                             * whatever its shape (JSON only, unless yaml); NULL: native, by
                             * shape only */
    int yaml;               /* the reader takes YAML too (forced with --as) */
} shape;

/* First match wins: the formats authpath reads, then what it does not read, specific first. */
static const shape shapes[] = {
    { is_opengraph, ap_import__opengraph, AP_FORMAT_OPENGRAPH, "opengraph", 0 },
    { is_aws_authz, ap_import__aws_iam, AP_FORMAT_AWS_IAM, "aws-iam", 0 },
    { is_native, read_native, AP_FORMAT_NATIVE, NULL, 0 },
    { is_k8s_audit, NULL, AP_FORMAT_COUNT, NULL, 0 },    /* observed use: usage.c */
    { is_k8s_rbac_list, ap_import__k8s, AP_FORMAT_K8S, "k8s", 1 },
    { is_k8s_lists, ap_import__k8s, AP_FORMAT_K8S, "k8s", 1 },
    { is_k8s_rbac_object, ap_import__k8s, AP_FORMAT_K8S, "k8s", 1 },
    { is_k8s_list, NULL, AP_FORMAT_COUNT, NULL, 0 },     /* of Pods...: not RBAC */
    { is_k8s_object, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_azurehound_fic, ap_import__msgraph, AP_FORMAT_MSGRAPH, "msgraph", 0 },
    { is_roadtools, ap_import__msgraph, AP_FORMAT_MSGRAPH, "msgraph", 0 },
    { is_hound, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_msgraph, ap_import__msgraph, AP_FORMAT_MSGRAPH, "msgraph", 0 },
    { is_credential_report, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_aws_other, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_cloudtrail_list, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_other, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_scim, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_okta, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_github, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_graphql, NULL, AP_FORMAT_COUNT, NULL, 0 },
    { is_graph_powershell, ap_import__msgraph, AP_FORMAT_MSGRAPH, "msgraph", 0 },
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static void peek_init(peek *p, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->len = len;
    p->sx = ap_import__syntax(text, len);
    if (p->sx == AP_SYNTAX_JSON) {
        ap_json_text t = { text, len, NULL, 0 };
        size_t top = ap_json__skip_ws(&t, 0), first;
        p->first = top;
        p->top = text[top];
        if (p->top == '{') {
            json_keys(&t, top, &p->obj);
        } else if ((first = ap_json__find_index(&t, top, 0)) != SIZE_MAX
                   && text[first] == '{') {
            json_keys(&t, first, &p->elem);
            p->have_elem = 1;
        }
    } else if (p->sx == AP_SYNTAX_YAML) {
        yaml_peek(p);
    }
}

/* JSON that does not parse is reported as the readers report it, not as a shape. */
static int check_json(const char *path, const char *text, size_t len, ap_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (doc == NULL)
        return ap_error_at(err, AP_EINPUT, path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    json_decref(doc);
    return AP_OK;
}

/* YAML that does not parse (or is not one document) likewise: the shapes that name it come
 * first, since a file of Kubernetes manifests is several documents. */
static int check_yaml(const char *path, const char *text, size_t len, ap_error *err)
{
    ap_yaml_doc *doc = NULL;
    const json_t *root;
    int rc = ap_import__yaml_parse(&doc, &root, text, len, path, err);
    ap_import__yaml_free(doc);
    return rc;
}

int ap_import__detect(ap_reader_fn *out, ap_format format, const char *path, const char *text,
                      size_t len, ap_error *err)
{
    peek p;
    char what[200] = "";
    unsigned line = 1, col = 1;
    size_t hit = NSHAPES;
    int rc;
    *out = NULL;
    peek_init(&p, text, len);
    for (size_t i = 0; i < NSHAPES; i++)       /* --as a foreign format: its reader decides */
        if (format == shapes[i].format && shapes[i].as != NULL) {
            if (p.sx != AP_SYNTAX_JSON && !(shapes[i].yaml && p.sx == AP_SYNTAX_YAML))
                return ap_error_at(err, AP_EINPUT, path, 1, 1, "%s input must be JSON",
                                   shapes[i].as);
            *out = shapes[i].read;
            return AP_OK;
        }
    for (size_t i = 0; i < NSHAPES && hit == NSHAPES; i++)
        if (shapes[i].match(&p, what, sizeof what))
            hit = i;
    if (hit < NSHAPES && shapes[hit].read != NULL
        && (format == AP_FORMAT_AUTO || format == shapes[hit].format)) {
        *out = shapes[hit].read;
        return AP_OK;
    }
    /* refused: a syntax error first, as the readers would report it; then what it looks like */
    if (p.sx == AP_SYNTAX_JSON && (rc = check_json(path, text, len, err)) < 0)
        return rc;
    if (hit == NSHAPES && p.sx == AP_SYNTAX_YAML && (rc = check_yaml(path, text, len, err)) < 0)
        return rc;
    if (hit == NSHAPES)
        describe(&p, what, sizeof what);
    for (size_t i = 0; i < p.first && i < len; i++, col++)
        if (text[i] == '\n') {
            line++;
            col = 0;
        }
    if (hit < NSHAPES && shapes[hit].read != NULL)      /* --as names another format */
        return ap_error_at(err, AP_EINPUT, path, line, col, "not an authpath/1 inventory (--as "
                           "native): this looks like %s", what);
    /* what it reads is listed by `authpath import --help`: the list no longer fits the
     * message's 256 bytes beside a long description */
    return ap_error_at(err, AP_EINPUT, path, line, col, "not an input authpath reads: this "
                       "looks like %s (authpath import --help lists what it reads)", what);
}

/* ---- observed use: its shapes go to the usage import (usage.c), never to a reader above ---- */

static bool csv_usage_header(const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);
    char line[200];
    size_t n = nl != NULL ? (size_t)(nl - text) : len;
    snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), text);
    return strstr(line, "at") != NULL && strstr(line, "actor") != NULL
           && strstr(line, "target") != NULL && strstr(line, "right") != NULL
           && strncmp(line, "at,", 3) == 0;
}

/* A Microsoft Entra sign-in log record (signIn) or servicePrincipalSignInActivity. */
static bool entra_sign_in(const peek_obj *o)
{
    return has(o, "lastSignInActivity") || has(o, "delegatedClientSignInActivity")
           || has(o, "applicationAuthenticationClientSignInActivity")
           || (has(o, "createdDateTime") && has(o, "appId")
               && (has(o, "status") || has(o, "resourceId")));
}

bool ap_import__usage_text(const char *text, size_t len, char *what, size_t size)
{
    peek p;
    char buf[100];
    if (what == NULL) {
        what = buf;
        size = sizeof buf;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    peek_init(&p, text, len);
    if (p.sx == AP_SYNTAX_CSV) {
        snprintf(what, size, "native events (CSV)");
        return csv_usage_header(text, len);
    }
    if (p.sx != AP_SYNTAX_JSON)
        return false;
    if (p.top == '{' && has(&p.obj, "Records")) {
        snprintf(what, size, "CloudTrail records");
        return true;
    }
    if (p.top == '{' && has(&p.obj, "Events") && elem_of(&p, "Events")
        && has(&p.elem, "CloudTrailEvent")) {
        snprintf(what, size, "CloudTrail lookup-events output");
        return true;
    }
    if ((p.top == '{' && has(&p.obj, "eventSource") && has(&p.obj, "eventName"))
        || is_cloudtrail_list(&p, what, size)) {
        snprintf(what, size, "CloudTrail records");
        return true;
    }
    if (p.top == '{' && starts(&p, &p.obj, "apiVersion", "audit.k8s.io")
        && has(&p.obj, "items")) {
        snprintf(what, size, "a Kubernetes audit EventList");
        return true;
    }
    if (is_k8s_audit(&p, what, size))
        return true;
    snprintf(what, size, "Microsoft Entra sign-ins");
    if ((p.top == '{' && (entra_sign_in(&p.obj)
                          || (has(&p.obj, "value") && elem_of(&p, "value")
                              && entra_sign_in(&p.elem))))
        || (p.top == '[' && p.have_elem && entra_sign_in(&p.elem)))
        return true;
    snprintf(what, size, "native events");
    return p.top == '{' && has(&p.obj, "actor") && has(&p.obj, "target")
           && has(&p.obj, "right") && !has(&p.obj, "nodes");
}
