/* import/msgraph_internal.h: what the Microsoft Graph / Entra ID reader's files share: the
 * objects in waiting until the import ends, Graph's names for ids, and permissions as rights. */
#ifndef AUTHPATH_MSGRAPH_INTERNAL_H
#define AUTHPATH_MSGRAPH_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>

#include "authpath/model.h"
#include "import_internal.h"

#define MG_GLOBAL_ADMIN "62e90394-69f5-4237-9190-012177145e10"

/* A node or edge in native shape, waiting for the end of the import; its place is the Graph
 * object it came from. */
typedef struct {
    json_t *obj;
    int64_t file;
    const char *path;
    unsigned line, col;
    bool placeholder;           /* named by a reference only: a later object replaces it */
} mg_item;

typedef struct {
    mg_item *v;
    size_t n, cap;
    json_t *index;              /* node id, or edge key from|kind|to -> position in v */
} mg_items;

struct ap_mg_state {
    mg_items nodes, edges;
    json_t *home;               /* tenant ids the files show as ours (@odata.id links) */
    json_t *roles;              /* role template id -> [name, class] (data/entra-roles.tsv) */
    json_t *perms;              /* permission id -> [value, Application|Delegated] */
    json_t *apps;               /* Microsoft first-party appId -> name */
    json_t *ms_tenants;         /* Microsoft's own tenant ids */
    unsigned line, col;         /* the object being read */
};
typedef struct ap_mg_state mg_state;

/* The role classes of data/entra-roles.tsv. */
typedef enum { MG_ROLE_OTHER, MG_ROLE_READER, MG_ROLE_PRIVILEGED, MG_ROLE_ESCALATES,
               MG_ROLE_GLOBAL } mg_role_class;

/* ---- msgraph_data.c: the tables in data/ and what permissions mean ---- */
/* Load the embedded tables into s (once). AP_ENOMEM on failure. */
int ap_mg__data_load(mg_state *s);
/* A built-in role's name and class by template id; NULL (and MG_ROLE_OTHER) when unknown. */
const char *ap_mg__role(const mg_state *s, const char *template_id, mg_role_class *cls);
/* A Microsoft Graph permission's value by id ("Application.ReadWrite.All"); NULL if unknown. */
const char *ap_mg__permission(const mg_state *s, const char *id);
/* Is the app Microsoft's own (first-party list, or an owner tenant of Microsoft's)? */
bool ap_mg__microsoft(const mg_state *s, const char *app_id, const char *owner_tenant);
/* The name of a Microsoft first-party app by appId, or NULL. */
const char *ap_mg__app_name(const mg_state *s, const char *app_id);
/* The built-in rights a permission value grants, by its verb (docs/sources/msgraph.md). */
ap_rights ap_mg__perm_rights(const char *value);
/* Application permissions with a known path to Global Administrator. */
bool ap_mg__perm_escalates(const char *value);
/* High-privilege permissions: the escalating ones, tenant-wide writes, acting as any user. */
bool ap_mg__perm_privileged(const char *value);

/* ---- msgraph.c: the waiting nodes and edges ---- */
/* The node id, made at the current place when new (placeholder: named by a reference only; a
 * real object replaces a placeholder's attributes). Returns the node's object (borrowed). */
json_t *ap_mg__node(ap_import_ctx *ctx, const char *id, ap_kind kind, const char *name,
                    const char *type, bool placeholder);
/* An edge from -kind-> to with rights r (AP_RIGHTS_ALL: all); repeated edges merge their
 * rights. Returns the edge's object (borrowed) for more attributes. */
json_t *ap_mg__edge(ap_import_ctx *ctx, const char *from, const char *kind, const char *to,
                    ap_rights r);
/* A key of a Graph object in camelCase or PascalCase (PowerShell): exact first, then ignoring
 * case. */
json_t *ap_mg__get(const json_t *obj, const char *key);
const char *ap_mg__str(const json_t *obj, const char *key);
/* A Graph time (ISO 8601, or PowerShell's /Date(ms)/) as Unix seconds; false if neither. */
bool ap_mg__time(const json_t *v, int64_t *out);
/* Set attribute key of a node to a string, a time (YYYY-MM-DDTHH:MM:SSZ) or a bool. */
void ap_mg__set(json_t *obj, const char *key, const char *value);
void ap_mg__set_time(json_t *obj, const char *key, int64_t t);

/* ---- msgraph_objects.c: one Graph object into nodes and edges ---- */
typedef enum {
    MG_NONE, MG_SERVICE_PRINCIPAL, MG_APPLICATION, MG_GRANT, MG_APP_ROLE_ASSIGNMENT,
    MG_FEDERATED_CREDENTIAL, MG_ROLE_ASSIGNMENT, MG_GDAP_RELATIONSHIP, MG_GDAP_ASSIGNMENT,
    MG_CROSS_TENANT_PARTNER, MG_SIGN_IN_ACTIVITY, MG_PERMISSION_LIST
} mg_type;

/* What a Graph object is: from the collection its page names (ctx_type), its @odata.type, or
 * its keys. */
mg_type ap_mg__type_of(const json_t *obj, mg_type ctx_type);
/* The collection an @odata.context names ("...$metadata#servicePrincipals('id')/
 * appRoleAssignedTo" is appRoleAssignedTo), or MG_NONE. */
mg_type ap_mg__type_of_context(const char *context);
/* Read one object of a known type. parent: the object a sub-collection belongs to (an
 * application's id for federated credentials, a relationship's for access assignments), or
 * NULL. AP_EINPUT through ap_import__fail for what is wrong with it. */
int ap_mg__object(ap_import_ctx *ctx, const json_t *obj, mg_type type, const char *parent);
/* Shared by the object readers (msgraph_objects.c, msgraph_gdap.c): a lower-case copy; an
 * input error about obj with arg quoted into fmt (AP_EINPUT); a construct noted, not imported;
 * a directory role node (built-in template or custom definition) in a tenant's directory
 * (NULL tenant: the home one), with what it grants there, its id in id; a Graph time copied
 * into n's key when v is one. */
void ap_mg__lower_copy(char *buf, size_t size, const char *s);
/* The longest values read, so that every id built from them is whole (cut short, two objects
 * alike in their first bytes would be one): ids of objects, apps, tenants, keys, roles,
 * relationships (GUIDs in Graph: 36 bytes); a permission's value or a role's display name; a
 * federated credential's issuer and subject (Entra's own limit). */
#define MG_ID_MAX 128
#define MG_VALUE_MAX 256
#define MG_ISSUER_MAX 600
/* Is v (of obj, at key) longer than max? If so the input error is recorded (true). */
bool ap_mg__too_long(ap_import_ctx *ctx, const json_t *obj, const char *key, const char *v,
                     size_t max);
int ap_mg__fail(ap_import_ctx *ctx, const json_t *obj, const char *fmt, const char *arg);
void ap_mg__note(ap_import_ctx *ctx, const char *what);
const char *ap_mg__role_node(ap_import_ctx *ctx, char *id, size_t size, const char *tmpl,
                             const char *tenant, const char *tenant_name);
void ap_mg__copy_time(json_t *n, const char *key, const json_t *v);
/* GDAP relationships and their access assignments (rel: the relationship's id when the page
 * is its sub-collection), cross-tenant access partners (msgraph_gdap.c). */
int ap_mg__gdap_relationship(ap_import_ctx *ctx, const json_t *o);
int ap_mg__gdap_assignment(ap_import_ctx *ctx, const json_t *o, const char *rel);
int ap_mg__cross_tenant(ap_import_ctx *ctx, const json_t *o);
/* ROADtools' first-party scopes: Microsoft's own apps and the scopes they are pre-consented. */
/* msgraph_objects.c's builders that msgraph_tools.c shares: a permission node of an API (its id
 * into id), and a federated identity credential of owner_id. */
const char *ap_mg__perm_node(ap_import_ctx *ctx, char *id, size_t size, const char *resource,
                             const char *resource_name, const char *value, bool application,
                             const char *perm_id);
int ap_mg__federated(ap_import_ctx *ctx, const json_t *c, const char *owner_id);
int ap_mg__roadtools(ap_import_ctx *ctx, const json_t *doc);
/* AzureHound's AZFederatedIdentityCredential records. */
int ap_mg__azurehound_fic(ap_import_ctx *ctx, const json_t *doc);
/* At the end of the import: the owners of third-party apps become partners holding the apps'
 * credentials; applications administer their service principals. */
int ap_mg__link(ap_import_ctx *ctx);

#endif
