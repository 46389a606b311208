/* import/detect.c: what a document is, from its shape, before any reader parses it. Routes each
 * file to the reader that takes its shape, or refuses it naming what it looks like. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect_internal.h"

/* A reader plugs in here: give its shape's row below a reader, its ap_format (and its --as name
 * when --as may force any JSON onto it), and detection routes to it instead of refusing; say so
 * in `authpath import --help`, which the refusal points to.
 * A row without a reader is a shape authpath knows but does not read yet: its files are refused with what they look like. */

/* ---- the shapes: each says whether p is one, and if so writes what it is into what ---- */

static int is_opengraph(peek *p, char *what, size_t size)
{
    snprintf(what, size, "BloodHound OpenGraph");
    return p->top == '{' && p->sx == AP_SYNTAX_JSON && ap_peek__has(&p->obj, "graph");
}

static int is_aws_authz(peek *p, char *what, size_t size)
{
    snprintf(what, size, "AWS IAM authorization details");
    return p->top == '{' && p->sx == AP_SYNTAX_JSON
        && (ap_peek__has(&p->obj, "UserDetailList") || ap_peek__has(&p->obj, "RoleDetailList")
            || ap_peek__has(&p->obj, "GroupDetailList") || ap_peek__has(&p->obj, "Policies"));
}

static int is_native(peek *p, char *what, size_t size)
{
    snprintf(what, size, "an authpath/1 inventory");
    if (p->sx == AP_SYNTAX_CSV)     /* the CSV reader knows its headers and names the columns
                                     * it expects; an IAM credential report is named here */
        return !(p->len >= 9 && strncmp(p->text, "user,arn,", 9) == 0);
    return p->top == '{' && (ap_peek__has(&p->obj, "format") || ap_peek__has(&p->obj, "nodes")
                             || ap_peek__has(&p->obj, "edges") || ap_peek__has(&p->obj, "rights"));
}

static int is_k8s_list(peek *p, char *what, size_t size)
{
    char kind[64], item[64];
    if (p->top != '{' || !ap_peek__has(&p->obj, "items") || !ap_peek__has(&p->obj, "apiVersion"))
        return 0;
    if (ap_peek__str(p, &p->obj, "kind", kind, sizeof kind) && strcmp(kind, "List") != 0
        && (strlen(kind) < 4 || strcmp(kind + strlen(kind) - 4, "List") != 0))
        return 0;
    if (ap_peek__elem_of(p, "items") && ap_peek__str(p, &p->elem, "kind", item, sizeof item))
        snprintf(what, size, "a Kubernetes List of %s", item);
    else if (ap_peek__empty_list(p, &p->obj, "items"))
        snprintf(what, size, "an empty Kubernetes List");
    else
        snprintf(what, size, "a Kubernetes List");
    return 1;
}


/* An audit.k8s.io Event, one per line or file, or a JSON list of them (as a log shipper or
 * `jq -s` writes them): observed use, never a list of RBAC objects. */
static int is_k8s_audit(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    snprintf(what, size, "%s", p->top == '[' ? "a list of Kubernetes audit events"
                                             : "a Kubernetes audit event");
    if (p->top == 0 || (p->top == '[' && (!p->have_elem || p->sx != AP_SYNTAX_JSON)))
        return 0;
    return ap_peek__has(o, "auditID") || ap_peek__starts(p, o, "apiVersion", "audit.k8s.io");
}

static int is_k8s_object(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '{' || !ap_peek__has(&p->obj, "apiVersion") || !ap_peek__str(p, &p->obj, "kind", kind,
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
static int yaml_names_rbac(const char *text, size_t len, int items)
{
    for (size_t i = 0, eol; i < len; i = eol + 1) {
        size_t k, e, at = i;
        eol = ap_peek__line_end(text, len, i);
        /* items: the "kind:" of a List's items, indented or after "- " (kubectl -o yaml) */
        while (items && at < eol && (text[at] == ' ' || text[at] == '-'))
            at++;
        k = at + 5;
        if (eol - at <= 5 || memcmp(text + at, "kind:", 5) != 0)
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
    char item[64], kind[64];
    size_t n;
    if (!is_k8s_list(p, what, size))
        return 0;
    /* an empty List, or an empty RoleList...: one of the files an export of every RBAC kind
     * writes when a kind has no object; it adds nothing (an import of nothing is refused) */
    if (ap_peek__empty_list(p, &p->obj, "items")
        && (!ap_peek__str(p, &p->obj, "kind", kind, sizeof kind) || strcmp(kind, "List") == 0
            || ((n = strlen(kind)) > 4 && rbac_kind(kind, n - 4))))
        return 1;
    if (p->sx == AP_SYNTAX_YAML)        /* kubectl get ... -o yaml */
        return yaml_names_rbac(p->text, p->len, 1);
    return ap_peek__elem_of(p, "items") && ap_peek__str(p, &p->elem, "kind", item, sizeof item)
           && rbac_kind(item, strlen(item));
}

/* A JSON list of Lists (or of objects), as KubiScan saves `kubectl get -o json` output. */
static int is_k8s_lists(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '[' || !p->have_elem || !ap_peek__has(&p->elem, "apiVersion")
        || !ap_peek__str(p, &p->elem, "kind", kind, sizeof kind))
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
    ap_peek__str(p, &p->obj, "kind", kind, sizeof kind);
    return rbac_kind(kind, strlen(kind))
           || (p->sx == AP_SYNTAX_YAML && yaml_names_rbac(p->text, p->len, 0));
}

/* AzureHound and SharpHound write {"data": [...], "meta": {"type": ...}}. */
static int is_azurehound_fic(peek *p, char *what, size_t size)
{
    char kind[64];
    snprintf(what, size, "AzureHound federated identity credentials");
    return p->top == '{' && ap_peek__has(&p->obj, "meta") && ap_peek__has(&p->obj, "data")
        && ap_peek__elem_of(p, "data") && ap_peek__str(p, &p->elem, "kind", kind, sizeof kind)
        && strcmp(kind, "AZFederatedIdentityCredential") == 0;
}

/* ROADtools' firstpartyscopes.json: Microsoft's apps and their pre-consented scopes. */
static int is_roadtools(peek *p, char *what, size_t size)
{
    snprintf(what, size, "ROADtools first-party scopes");
    return p->top == '{' && ap_peek__has(&p->obj, "apps") && ap_peek__has(&p->obj, "resourceidentifiers");
}

static int is_hound(peek *p, char *what, size_t size)
{
    char kind[64];
    if (p->top != '{' || !ap_peek__has(&p->obj, "meta") || !ap_peek__has(&p->obj, "data"))
        return 0;
    if (ap_peek__elem_of(p, "data") && ap_peek__str(p, &p->elem, "kind", kind, sizeof kind)
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

/* Does o have key, in any case (Graph PowerShell writes PascalCase)? */
static int has_ci(const peek_obj *o, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < o->n; i++)
        if (o->k[i].klen == n && strncasecmp(o->k[i].key, key, n) == 0)
            return 1;
    return 0;
}

/* The keys by which the Graph reader knows an object without @odata.context or @odata.type
 * (msgraph_type.c; docs/sources/msgraph.md), in any case. */
static int graph_keys(const peek_obj *o)
{
    return (has_ci(o, "customer") && has_ci(o, "accessDetails")) || has_ci(o, "accessContainer")
           || (has_ci(o, "clientId") && has_ci(o, "consentType"))
           || (has_ci(o, "appRoleId") && has_ci(o, "principalId"))
           || (has_ci(o, "roleDefinitionId") && has_ci(o, "principalId"))
           || (has_ci(o, "issuer") && has_ci(o, "subject") && has_ci(o, "audiences"))
           || (has_ci(o, "tenantId") && (has_ci(o, "b2bCollaborationInbound")
                                         || has_ci(o, "b2bDirectConnectInbound")
                                         || has_ci(o, "inboundTrust")))
           || has_ci(o, "appOwnerOrganizationId") || has_ci(o, "servicePrincipalType")
           || (has_ci(o, "appId") && (has_ci(o, "requiredResourceAccess")
                                      || has_ci(o, "signInAudience")));
}

static int is_msgraph(peek *p, char *what, size_t size)
{
    char buf[200], entity[120];
    const char *slash;
    if (p->top != '{')
        goto list;
    if (ap_peek__str(p, &p->obj, "@odata.context", buf, sizeof buf)) {
        odata_entity(buf, entity, sizeof entity);
        snprintf(what, size, "Microsoft Graph %s", entity);
        return 1;
    }
    if (ap_peek__str(p, &p->obj, "@odata.type", buf, sizeof buf)) {
        snprintf(what, size, "a Microsoft Graph %s", strrchr(buf, '.') != NULL
                 ? strrchr(buf, '.') + 1 : buf);
        return 1;
    }
    if (ap_peek__has(&p->obj, "appOwnerOrganizationId") || ap_peek__has(&p->obj, "servicePrincipalType")) {
        snprintf(what, size, "a Microsoft Graph servicePrincipal");
        return 1;
    }
    if (p->sx == AP_SYNTAX_JSON && graph_keys(&p->obj)) {
        snprintf(what, size, "a Microsoft Graph object");
        return 1;
    }
list:
    if (p->top == '[' && p->have_elem && p->sx == AP_SYNTAX_JSON
        && (graph_keys(&p->elem) || ap_peek__has(&p->elem, "consentType")
            || ap_peek__has(&p->elem, "@odata.context"))) {
        snprintf(what, size, "a list of Microsoft Graph objects");
        return 1;
    }
    if (p->top != '{' || !ap_peek__has(&p->obj, "value") || p->obj.n > 3)
        return 0;
    if (ap_peek__elem_of(p, "value") && ap_peek__str(p, &p->elem, "@odata.type", buf, sizeof buf)) {
        snprintf(what, size, "Microsoft Graph %s", strrchr(buf, '.') != NULL
                 ? strrchr(buf, '.') + 1 : buf);
    } else if (p->have_elem && ap_peek__str(p, &p->elem, "@odata.id", buf, sizeof buf)
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
    return p->top == '{' && (ap_peek__starts(p, &p->obj, "Content", "user,arn")
                             || (ap_peek__has(&p->obj, "GeneratedTime") && ap_peek__has(&p->obj, "Content")));
}

static int is_aws_other(peek *p, char *what, size_t size)
{
    if (p->top != '{')
        return 0;
    if (ap_peek__has(&p->obj, "SummaryMap"))
        snprintf(what, size, "an IAM account summary (get-account-summary)");
    else if (ap_peek__has(&p->obj, "JobStatus") && (ap_peek__has(&p->obj, "EntityDetailsList")
                                           || ap_peek__has(&p->obj, "ServicesLastAccessed")))
        snprintf(what, size, "IAM service-last-accessed details");
    else if (ap_peek__has(&p->obj, "Records"))
        snprintf(what, size, "CloudTrail records");
    else if (ap_peek__has(&p->obj, "Events") && ap_peek__elem_of(p, "Events") && ap_peek__has(&p->elem, "CloudTrailEvent"))
        snprintf(what, size, "CloudTrail lookup-events output");
    else
        return 0;
    return 1;
}

static int is_cloudtrail_list(peek *p, char *what, size_t size)
{
    snprintf(what, size, "CloudTrail records");
    return p->top == '[' && p->have_elem && ap_peek__has(&p->elem, "eventSource")
        && ap_peek__has(&p->elem, "eventName");
}

static int is_github(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    if (p->top == '[' && !p->have_elem)
        return 0;
    if (p->top == '{' && ap_peek__has(&p->obj, "total_count") && p->obj.n == 2) {
        const peek_key *k = &p->obj.k[p->obj.k[0].klen == 11
                                      && memcmp(p->obj.k[0].key, "total_count", 11) == 0];
        char key[64], shown[40];
        snprintf(key, sizeof key, "%.*s", (int)(k->klen < 63 ? k->klen : 63), k->key);
        ap_doc_quote(shown, sizeof shown, key);
        snprintf(what, size, "a GitHub API response (%s)", shown);
        return 1;
    }
    if (!ap_peek__has(o, "node_id") && !ap_peek__mentions(p, o, "api.github.com"))
        return 0;
    snprintf(what, size, "a GitHub API response");
    return 1;
}

static int is_scim(peek *p, char *what, size_t size)
{
    snprintf(what, size, "a SCIM list response");
    return p->top == '{' && ap_peek__has(&p->obj, "schemas") && ap_peek__has(&p->obj, "Resources");
}

static int is_graphql(peek *p, char *what, size_t size)
{
    snprintf(what, size, "a GraphQL response");
    return p->top == '{' && p->obj.n <= 2 && p->sx == AP_SYNTAX_JSON && ap_peek__has(&p->obj, "data")
        && ap_peek__find(&p->obj, "data")->at < p->len && p->text[ap_peek__find(&p->obj, "data")->at] == '{';
}

/* The Okta Management API: HAL links, Okta resource names, and Okta in the text. */
static int is_okta(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    snprintf(what, size, "an Okta API response");
    if (p->top == 0 || (p->top == '[' && !p->have_elem))
        return 0;
    if (!ap_peek__has(o, "_links") && !ap_peek__has(o, "orn") && !ap_peek__has(o, "signOnMode") && !ap_peek__has(o, "jwks")
        && !ap_peek__has(o, "subdomain") && !(ap_peek__has(o, "profile") && ap_peek__has(o, "credentials"))
        && !(p->top == '{' && p->obj.n <= 2 && (ap_peek__has(o, "roles") || ap_peek__has(o, "permissions"))))
        return 0;
    return ap_peek__has(o, "orn") || ap_peek__contains_ci(p->text, p->len < 65536 ? p->len : 65536, "okta");
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
        if (ap_peek__has(o, keys[i]))
            return 1;
    return 0;
}

static int is_other(peek *p, char *what, size_t size)
{
    const peek_obj *o = p->top == '[' ? &p->elem : &p->obj;
    if (p->top == '{' && (ap_peek__has(o, "$schema") || (ap_peek__has(o, "title") && ap_peek__has(o, "properties")
                                                && ap_peek__has(o, "type"))))
        snprintf(what, size, "a JSON Schema");
    else if (ap_peek__has(o, "AnalysisType") && ap_peek__has(o, "RuleID"))
        snprintf(what, size, "a Panther detection rule");
    else if (p->top == '[' && p->have_elem && ap_peek__has(o, "accounts") && ap_peek__has(o, "name"))
        snprintf(what, size, "a list of known AWS accounts (give it to --aws-accounts)");
    else if (ap_peek__has(o, "baseline_version") && ap_peek__has(o, "module_version"))
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
        ap_doc_quote(q, 16, k);
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
    int rc = ap_doc_yaml_parse(&doc, &root, text, len, path, err);
    ap_doc_yaml_free(doc);
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
    ap_peek__init(&p, text, len);
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
    return has_ci(o, "lastSignInActivity") || has_ci(o, "delegatedClientSignInActivity")
           || has_ci(o, "applicationAuthenticationClientSignInActivity")
           || (has_ci(o, "createdDateTime") && has_ci(o, "appId")
               && (has_ci(o, "status") || has_ci(o, "resourceId")));
}

/* A Graph page of sign-ins: its @odata.context names auditLogs/signIns or the
 * servicePrincipalSignInActivities report. */
static bool sign_in_page(const peek *p, const peek_obj *o)
{
    char ctx[200];
    return ap_peek__str(p, o, "@odata.context", ctx, sizeof ctx)
           && (strstr(ctx, "#auditLogs/signIns") != NULL
               || strstr(ctx, "servicePrincipalSignInActivities") != NULL);
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
    ap_peek__init(&p, text, len);
    if (p.sx == AP_SYNTAX_CSV) {
        snprintf(what, size, "native events (CSV)");
        return csv_usage_header(text, len);
    }
    if (p.sx != AP_SYNTAX_JSON)
        return false;
    if (p.top == '{' && ap_peek__has(&p.obj, "Records")) {
        snprintf(what, size, "CloudTrail records");
        return true;
    }
    if (p.top == '{' && ap_peek__has(&p.obj, "Events") && ap_peek__elem_of(&p, "Events")
        && ap_peek__has(&p.elem, "CloudTrailEvent")) {
        snprintf(what, size, "CloudTrail lookup-events output");
        return true;
    }
    if ((p.top == '{' && ap_peek__has(&p.obj, "eventSource") && ap_peek__has(&p.obj, "eventName"))
        || is_cloudtrail_list(&p, what, size)) {
        snprintf(what, size, "CloudTrail records");
        return true;
    }
    if (p.top == '{' && ap_peek__has(&p.obj, "events") && ap_peek__elem_of(&p, "events")
        && ap_peek__has(&p.elem, "ingestionTime")
        && ap_peek__starts(&p, &p.elem, "message", "{")) {
        snprintf(what, size, "CloudWatch Logs events");
        return true;
    }
    if (p.top == '{' && ap_peek__starts(&p, &p.obj, "apiVersion", "audit.k8s.io")
        && ap_peek__has(&p.obj, "items")) {
        snprintf(what, size, "a Kubernetes audit EventList");
        return true;
    }
    if (is_k8s_audit(&p, what, size))
        return true;
    if (p.top == '[' && p.have_elem
        && (ap_peek__has(&p.elem, "Records") || sign_in_page(&p, &p.elem))) {
        snprintf(what, size, "a list of %s", ap_peek__has(&p.elem, "Records")
                 ? "CloudTrail Records files" : "Microsoft Entra sign-in pages");
        return true;
    }
    snprintf(what, size, "Microsoft Entra sign-ins");
    if ((p.top == '{' && (entra_sign_in(&p.obj)
                          || (ap_peek__has(&p.obj, "value") && ap_peek__elem_of(&p, "value")
                              && entra_sign_in(&p.elem))))
        || (p.top == '[' && p.have_elem && entra_sign_in(&p.elem)))
        return true;
    snprintf(what, size, "native events");
    return p.top == '{' && ap_peek__has(&p.obj, "actor") && ap_peek__has(&p.obj, "target")
           && ap_peek__has(&p.obj, "right") && !ap_peek__has(&p.obj, "nodes");
}
