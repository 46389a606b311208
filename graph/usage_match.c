/* graph/usage_match.c: which node stands for what an event acted on. Pure string rules shared
 * by the import (is the target known?) and the queries (which grants cover it?). */
#include <string.h>

#include "authpath/usage.h"

/* AWS wildcards, case-sensitive: '*' any run (also across '/'), '?' one character. */
static bool glob(const char *p, const char *s)
{
    const char *star = NULL, *back = NULL;
    while (*s != '\0') {
        if (*p == '*') {
            star = p++;
            back = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++back;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* "arn:aws:SVC:..." -> SVC into buf */
static bool arn_service(const char *arn, char *buf, size_t size)
{
    const char *a, *b;
    if (strncmp(arn, "arn:", 4) != 0 || (a = strchr(arn + 4, ':')) == NULL
        || (b = strchr(a + 1, ':')) == NULL || (size_t)(b - a - 1) >= size)
        return false;
    memcpy(buf, a + 1, (size_t)(b - a - 1));
    buf[b - a - 1] = '\0';
    return true;
}

bool ap_usage_covers(const char *id, const char *target)
{
    size_t n = strlen(id);
    char svc[64];
    if (strcmp(id, target) == 0)
        return true;
    if (strncmp(id, "aws:iam:arn:", 12) == 0)      /* the AWS reader's IAM resource nodes */
        return glob(id + 8, target);
    if (strncmp(id, "aws:", 4) == 0 && n > 6 && strcmp(id + n - 2, ":*") == 0) {
        /* aws:SVC:* is every resource of a service (aws:*:* of every service) */
        size_t slen = n - 6;
        if (slen == 1 && id[4] == '*')
            return strncmp(target, "arn:", 4) == 0 || strncmp(target, "aws:", 4) == 0;
        if (strncmp(target, id, n - 1) == 0)
            return true;
        return arn_service(target, svc, sizeof svc) && strlen(svc) == slen
               && strncmp(svc, id + 4, slen) == 0;
    }
    if (strncmp(id, "k8s:", 4) == 0 && strncmp(target, "k8s:", 4) == 0) {
        /* k8s:SCOPE/GROUP/RES covers its objects k8s:NS/GROUP/RES/NAME; scope '*' every
         * namespace */
        const char *is = strchr(id + 4, '/'), *ts = strchr(target + 4, '/');
        if (is == NULL || ts == NULL)
            return false;
        if (!(is - id == 5 && id[4] == '*') && (is - id != ts - target
                                                 || strncmp(id, target, (size_t)(is - id)) != 0))
            return false;
        return glob(is, ts) || (strncmp(ts, is, strlen(is)) == 0 && ts[strlen(is)] == '/');
    }
    if (strchr(id, '*') != NULL || strchr(id, '?') != NULL)
        return glob(id, target);
    return false;
}
