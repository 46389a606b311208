/* import/aws_internal.h: what the AWS IAM reader's files share: policy documents in every form
 * they arrive in, AWS wildcard matching, and actions turned into authpath rights. */
#ifndef AUTHPATH_AWS_INTERNAL_H
#define AUTHPATH_AWS_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "authpath/model.h"

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
/* The rights an action pattern grants (DESIGN.md's rights, docs/sources/aws-iam.md's table). */
ap_rights ap_aws__action_rights(const char *action);

/* IAM actions that take over a principal or let their holder grant themselves anything. */
extern const char *const ap_aws__takeover[];

#endif
