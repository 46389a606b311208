/* import/aws_policy.c: IAM policy documents as the AWS IAM reader needs them: decoded from any
 * form, one-or-many values as lists, wildcards matched, actions mapped to rights, statements. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"
#include "authpath/error.h"

const char *const ap_aws__takeover[] = {
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy", "iam:PutGroupPolicy", "iam:AttachGroupPolicy",
    "iam:AddUserToGroup", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:PassRole", NULL,
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int ap_aws__doc(json_t **out, const json_t *v, char *why, size_t size)
{
    json_error_t je;
    const char *s;
    char *text;
    size_t n = 0;
    *out = NULL;
    if (json_is_object(v)) {
        *out = json_incref((json_t *)v);
        return AP_OK;
    }
    if (!json_is_string(v)) {
        snprintf(why, size, "a policy document must be an object or URL-encoded JSON text");
        return AP_EINPUT;
    }
    s = json_string_value(v);
    if ((text = malloc(strlen(s) + 1)) == NULL) {
        snprintf(why, size, "out of memory");
        return AP_ENOMEM;
    }
    for (size_t i = 0; s[i] != '\0'; i++) {     /* RFC 3986 percent-decoding */
        if (s[i] == '%' && hexval((unsigned char)s[i + 1]) >= 0
            && hexval((unsigned char)s[i + 2]) >= 0) {
            text[n++] = (char)(hexval((unsigned char)s[i + 1]) * 16
                               + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            text[n++] = s[i];
        }
    }
    *out = json_loadb(text, n, 0, &je);
    free(text);
    if (*out == NULL || !json_is_object(*out)) {
        if (*out != NULL)
            snprintf(why, size, "malformed policy document: not a JSON object");
        else
            snprintf(why, size, "malformed policy document: %s (at character %d of the decoded "
                     "document)", je.text, je.position);
        json_decref(*out);
        *out = NULL;
        return AP_EINPUT;
    }
    return AP_OK;
}

int ap_aws__list(json_t **out, const json_t *v, json_type want)
{
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        *out = json_array();
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (json_typeof(json_array_get(v, i)) != want)
                return AP_EINPUT;
        *out = json_incref((json_t *)v);
    } else if (json_typeof(v) == want) {
        *out = json_pack("[O]", v);
    } else {
        return AP_EINPUT;
    }
    return *out != NULL ? AP_OK : AP_ENOMEM;
}

bool ap_aws__glob(const char *p, const char *s, bool nocase)
{
    const char *star = NULL, *mark = NULL;
    while (*s != '\0') {
        if (*p == '*') {
            star = p++;
            mark = s;
        } else if (*p == '?' || *p == *s
                   || (nocase && tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

void ap_aws__service(const char *action, char *buf, size_t size)
{
    const char *colon = strchr(action, ':');
    size_t n = colon != NULL ? (size_t)(colon - action) : strlen(action), i = 0;
    if (colon == NULL)
        n = strlen(action);
    for (; i < n && i + 1 < size; i++)
        buf[i] = (char)tolower((unsigned char)action[i]);
    buf[i] = '\0';
}

/* Verbs that begin action names, with the rights they grant. Longest match wins. */
static const struct { const char *verb; ap_rights rights; } verbs[] = {
#define R(x) ((ap_rights)1 << AP_R_##x)
    { "Get", R(READ) }, { "List", R(READ) }, { "Describe", R(READ) }, { "Head", R(READ) },
    { "Query", R(READ) }, { "Scan", R(READ) }, { "Select", R(READ) }, { "Search", R(READ) },
    { "Lookup", R(READ) }, { "BatchGet", R(READ) }, { "View", R(READ) }, { "Read", R(READ) },
    { "Check", R(READ) }, { "Download", R(READ) }, { "Retrieve", R(READ) },
    { "Receive", R(READ) }, { "Export", R(READ) }, { "Preview", R(READ) },
    { "Simulate", R(READ) }, { "Filter", R(READ) }, { "Decrypt", R(READ) },
    { "Delete", R(DELETE) }, { "BatchDelete", R(DELETE) }, { "Terminate", R(DELETE) },
    { "Purge", R(DELETE) }, { "Destroy", R(DELETE) },
    { "Invoke", R(EXECUTE) }, { "Run", R(EXECUTE) }, { "Start", R(EXECUTE) },
    { "Execute", R(EXECUTE) }, { "Assume", R(EXECUTE) }, { "SendCommand", R(EXECUTE) },
    { "Put", R(WRITE) }, { "Create", R(WRITE) }, { "Update", R(WRITE) },
    { "Modify", R(WRITE) }, { "Attach", R(WRITE) }, { "Detach", R(WRITE) },
    { "Add", R(WRITE) }, { "Remove", R(WRITE) }, { "Set", R(WRITE) }, { "Tag", R(WRITE) },
    { "Untag", R(WRITE) }, { "Upload", R(WRITE) }, { "Write", R(WRITE) },
    { "Pass", R(WRITE) }, { "Enable", R(WRITE) }, { "Disable", R(WRITE) },
#undef R
};

static bool prefix_nocase(const char *prefix, const char *s, size_t n)
{
    return strlen(prefix) <= n && strncasecmp(prefix, s, strlen(prefix)) == 0;
}

ap_rights ap_aws__action_rights(const char *action)
{
    const ap_rights every = ((ap_rights)1 << AP_R_READ) | ((ap_rights)1 << AP_R_WRITE)
                            | ((ap_rights)1 << AP_R_DELETE) | ((ap_rights)1 << AP_R_EXECUTE)
                            | ((ap_rights)1 << AP_R_ADMIN);
    const ap_rights write = (ap_rights)1 << AP_R_WRITE;
    const char *verb = strchr(action, ':') != NULL ? strchr(action, ':') + 1 : action;
    const char *star = strchr(verb, '*');
    size_t lit = star != NULL ? (size_t)(star - verb) : strlen(verb), best = 0;
    ap_rights r = 0, found = 0;
    if (lit == 0)
        return every;                       /* "*", "s3:*", "s3:*Object" */
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (prefix_nocase(verbs[i].verb, verb, lit) && strlen(verbs[i].verb) > best) {
            best = strlen(verbs[i].verb);   /* a known verb begins the literal part */
            found = verbs[i].rights;
        }
    if (best > 0 && (star == NULL || best <= lit))
        return found;
    if (star == NULL)
        return write;                       /* an unknown verb changes something */
    /* "De*": every verb the literal part begins, and unknown ones, which write */
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strncasecmp(verbs[i].verb, verb, lit) == 0)
            r |= verbs[i].rights;
    return r | write;
}

/* ---- Statements ---- */

/* Does v (a string, a list of them, or an object of either: a Principal) hold a string longer
 * than AWS_ARN_MAX? */
static bool holds_long(const json_t *v)
{
    const char *k;
    const json_t *x;
    size_t i;
    if (json_is_string(v))
        return json_string_length(v) > AWS_ARN_MAX;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            if (holds_long(x))
                return true;
        return false;
    }
    if (json_is_object(v))
        json_object_foreach((json_t *)v, k, x)
            if (holds_long(x))
                return true;
    return false;
}

/* The statements of a document as a list, each checked to be an object with an Effect; a
 * statement naming an action, resource or principal longer than an ARN may be is refused at
 * its place (the ids built from them are whole). */
int ap_aws__statements(aws *a, const json_t *doc, size_t pos, json_t **out)
{
    static const char *const keys[] = { "Action", "NotAction", "Resource", "NotResource",
                                        "Principal", "NotPrincipal" };
    int rc = AP_OK;
    if (ap_aws__list(out, json_object_get(doc, "Statement"), JSON_OBJECT) < 0)
        return ap_aws__fail(a, pos, "'Statement' must be an object or a list of objects%s", NULL);
    if (json_array_size(*out) == 0)
        ap_aws__note(a, "policy document without statements");
    for (size_t i = 0; i < json_array_size(*out); i++)
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (holds_long(json_object_get(json_array_get(*out, i), keys[k]))) {
                rc = ap_aws__fail(a, ap_aws__statement_pos(a, pos, i), "a statement's '%s' "
                                  "holds a value longer than 2048 bytes (AWS's limit for an "
                                  "ARN)", keys[k]);
                break;
            }
    if (rc != AP_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The position of statement i of the document at doc_pos (the document's own position when
 * it came as text). */
size_t ap_aws__statement_pos(aws *a, size_t doc_pos, size_t i)
{
    size_t s = ap_json__find_key(&a->t, doc_pos, "Statement"), e;
    if (s == SIZE_MAX)
        return doc_pos;
    e = ap_json__find_index(&a->t, s, i);
    return e != SIZE_MAX ? e : s;
}

int ap_aws__doc_statements(aws *a, const json_t *docv, size_t doc_pos, json_t **doc,
                           json_t **sts)
{
    char why[200];
    int rc;
    *doc = *sts = NULL;
    ap_aws__at(a, doc_pos);
    if ((rc = ap_aws__doc(doc, docv, why, sizeof why)) < 0)
        return rc == AP_EINPUT ? ap_aws__fail(a, SIZE_MAX, "%s", why) : rc;
    return ap_aws__statements(a, *doc, doc_pos, sts);
}

int ap_aws__effect(aws *a, const json_t *st, bool *allow)
{
    const char *eff = ap_aws__str(st, "Effect");
    if (eff == NULL || (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0))
        return ap_aws__fail(a, SIZE_MAX, "a statement's 'Effect' must be \"Allow\" or \"Deny\"%s",
                            NULL);
    *allow = strcmp(eff, "Allow") == 0;
    return AP_OK;
}
