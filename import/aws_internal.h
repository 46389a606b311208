/* import/aws_internal.h: what the AWS IAM reader's files share: the reader's state, nodes and
 * edges in waiting, policy documents in every form they arrive in, AWS wildcard matching, and
 * actions turned into authpath rights. */
#ifndef AUTHPATH_AWS_INTERNAL_H
#define AUTHPATH_AWS_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "authpath/model.h"
#include "import_internal.h"

/* A policy document as an object: given as one, or as URL-encoded JSON text (the wire form).
 * *out owns a new reference; on failure why says what is wrong and AP_EINPUT is returned. */
int ap_aws__doc(json_t **out, const json_t *v, char *why, size_t size);
/* A value that may be one item or a list, as a list: *out owns a new reference (an empty list
 * for NULL). AP_EINPUT when an item is not of the wanted type (JSON_STRING or JSON_OBJECT). */
int ap_aws__list(json_t **out, const json_t *v, json_type want);
/* AWS wildcard match: '*' any run, '?' one character; actions ignore case, ARNs do not. */
bool ap_aws__glob(const char *pattern, const char *s, bool nocase);
/* The service of an action ("s3" for "s3:GetObject", "*" for "*"), lower case, into buf. */
void ap_aws__service(const char *action, char *buf, size_t size);
/* The size of a buffer that holds any service or ARN field whole. */
#define AWS_FIELD_SIZE (AWS_ARN_MAX + 1)
/* The rights an action pattern grants (the rights of docs/sources/aws-iam.md's table). */
ap_rights ap_aws__action_rights(const char *action);

/* The services whose every action authpath knows (aws_actions.c), by name, NULL-terminated;
 * and one service's actions (names after "svc:"), or NULL when it is not in the table. */
typedef struct {
    const char *name;
    const char *const *actions;
} ap_aws_service;
extern const ap_aws_service ap_aws__services[];
const char *const *ap_aws__service_actions(const char *svc);

/* IAM actions that take over a principal or let their holder grant themselves anything. */
extern const char *const ap_aws__takeover[];

/* ---- The reader (aws_iam.c; statements in aws_policy.c) ---- */

/* A node or edge in native shape, waiting to be staged; edges merge while they wait. */
typedef struct {
    json_t *obj;
    unsigned line, col;
    ap_rights rights;           /* access edges: the union of what their statements grant */
} item;

typedef struct {
    item *v;
    size_t n, cap;
    json_t *index;              /* node id, or edge key from|kind|to, -> position in v */
} items;

/* Where errors and provenance point: the element being read. */
typedef struct {
    unsigned line, col;
} aws_pos;

/* What limits a principal's Allow statements: the Deny statements that apply to it (its own,
 * its managed policies', its groups', its boundary's) and its permissions boundary's Allow
 * statements (NULL: no boundary). */
typedef struct {
    json_t *deny;
    json_t *boundary;
} aws_limit;

typedef struct {
    ap_import_ctx *ctx;
    ap_json_text t;
    aws_pos cur;
    items nodes, edges;
    json_t *home;               /* account id -> true: the accounts whose principals are here */
    json_t *roles;              /* role ARN -> {"name", "trust_root", "service"} */
    json_t *principals;         /* user, group and role ARNs -> "user" | "group" | "role" */
    json_t *by_name;            /* "ACCOUNT/role/NAME", "ACCOUNT/group/NAME" -> ARN */
    json_t *documents;          /* managed policy ARN -> its default version's document */
    json_t *doc_pos;            /* managed policy ARN -> offset of its default document */
    json_t *group_elems;        /* group ARN -> its GroupDetailList element */
    const aws_limit *limit;     /* while reading a limited principal's policies, else NULL */
    int quiet;                  /* re-reading a document read elsewhere too: its errors and
                                 * notes (but approximations) are reported there */
    int gate_iam, gate_sts;     /* the wildcard gates are needed */
    int nerr_before;
} aws;

typedef struct {
    const char *role;           /* the role's ARN */
    const char *via;            /* the assume action the statement allows */
    json_t *cond;               /* the statement's Condition, or NULL */
    json_t *keys;               /* its condition keys, sorted */
    bool external_id, restricted;
} trust;

/* Errors and notes point at the element at offset pos of the text (SIZE_MAX: where it is). */
void ap_aws__at(aws *a, size_t pos);
int ap_aws__fail(aws *a, size_t pos, const char *fmt, const char *arg);
void ap_aws__note(aws *a, const char *what);
/* Nodes and edges in waiting, by id or from|kind|to; made at the current place when new. */
item *ap_aws__find_item(items *it, const char *key);
item *ap_aws__new_item(aws *a, items *it, const char *key, json_t *obj);
json_t *ap_aws__node(aws *a, const char *id, ap_kind kind, const char *name, const char *type);
item *ap_aws__edge(aws *a, const char *from, const char *kind, const char *to);
/* Add s to the list attribute key of obj, once. */
int ap_aws__add_to_list(json_t *obj, const char *key, const char *s);
/* Field k (0-based) of an ARN "arn:partition:service:region:account:resource" into buf; false
 * (buf empty) when arn is not one, or when the field does not fit whole: never cut short. */
bool ap_aws__arn_field(const char *arn, int k, char *buf, size_t size);
/* The longest values read, so that the ids and keys built from them are whole (cut short, two
 * principals or resources alike in their first bytes would be one): an ARN, or any string of a
 * policy statement's Action, Resource or Principal (AWS's limit for an ARN); a user's, group's
 * or role's name (AWS's limits: 64, 128, 64); an access key id (AWS's limit). */
#define AWS_ARN_MAX 2048
#define AWS_NAME_MAX 128
#define AWS_KEY_ID_MAX 128
bool ap_aws__is_account_id(const char *s);
const char *ap_aws__str(const json_t *obj, const char *key);
/* A document's statements, checked objects; statement i's offset; its Effect. */
int ap_aws__statements(aws *a, const json_t *doc, size_t pos, json_t **out);
size_t ap_aws__statement_pos(aws *a, size_t doc_pos, size_t i);
int ap_aws__effect(aws *a, const json_t *st, bool *allow);
/* The policy document at doc_pos (any form ap_aws__doc takes) and its statements; *doc and *sts
 * own references (json_decref() them whatever the result). */
int ap_aws__doc_statements(aws *a, const json_t *docv, size_t doc_pos, json_t **doc,
                           json_t **sts);

/* ---- Principals (aws_principals.c) ---- */

/* A user, group or role element at offset pos of the text: its node (and nothing more when
 * nodes_only, the first of the two times users and groups are read), then its memberships,
 * keys or profiles and its policies. Roles' nodes come first, on their own
 * (ap_aws__read_role_node). */
int ap_aws__read_user(aws *a, const json_t *e, size_t pos, bool nodes_only);
int ap_aws__read_group(aws *a, const json_t *e, size_t pos, bool nodes_only);
int ap_aws__read_role_node(aws *a, const json_t *e, size_t pos);
int ap_aws__read_role(aws *a, const json_t *e, size_t pos);

/* ---- Trust policies (aws_trust.c) ---- */

/* The condition keys of tr->cond into tr->keys (sorted), and what they say. */
void ap_aws__condition_keys(trust *tr);
/* Who may assume role (its ARN), from its trust policy document at doc_pos. */
int ap_aws__read_trust(aws *a, const char *role, const json_t *docv, size_t doc_pos);

/* ---- Identity policies (aws_grants.c) ---- */

/* What holder can do through policy (an ARN or an inline name), from the document at doc_pos
 * (Allow statements less a->limit when set; Deny statements only kept as evidence). */
int ap_aws__read_policy(aws *a, const char *holder, const char *policy, const json_t *docv,
                        size_t doc_pos);

/* ---- Deny and permissions boundaries (aws_limit.c) ---- */

/* Read a principal's policies through its limit when it has Deny statements or a boundary
 * that applies (*limited true); else leave them to the unlimited path (*limited false). */
int ap_aws__read_limited(aws *a, const char *holder, const json_t *e, size_t pos, bool user,
                         bool *limited);
/* One Allow statement's action patterns (or NotAction's complement, not_action true) on one
 * resource pattern, through a->limit: calls emit for each (action, resource) that survives. */
typedef int (*ap_aws_emit)(aws *a, const void *g, const char *action, const char *resource);
int ap_aws__limited_actions(aws *a, const void *g, const json_t *actions, bool not_action,
                            const char *resource, ap_aws_emit emit);

#endif
