/* authpath/error.h: how every authpath call reports failure. A status code and a caller-owned
 * ap_error that says what went wrong and, for input errors, where (file, line, column). */
#ifndef AUTHPATH_ERROR_H
#define AUTHPATH_ERROR_H

#include <stddef.h>

/* Ownership, everywhere in this API:
 *   "*out owns"        the caller frees it with the matching ap_<type>_free() (strings: free());
 *   "borrowed from X"  valid until X is freed or changed; never free it;
 *   "takes ownership"  the callee frees it, even when it fails.
 * Every ap_<type>_free() accepts NULL. Nothing is reference-counted. */

#define AP_EXPORT __attribute__((visibility("default")))

#if defined(__GNUC__)
#define AP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AP_PRINTF(a, b)
#endif

typedef enum {
    AP_OK = 0,
    AP_EINPUT = -1,     /* the input is wrong: file, line and col say where */
    AP_ENOTFOUND = -2,  /* a named partner, node or snapshot does not exist */
    AP_ESCHEMA = -3,    /* the database is newer than this build */
    AP_ENOMEM = -4,
    AP_EIO = -5,
    AP_EBUG = -6        /* an invariant failed: our defect */
} ap_status;

typedef struct {        /* caller-owned, fixed size, never allocates */
    ap_status code;
    char file[256];     /* "" unless the error is about an input file */
    unsigned line, col; /* 1-based; 0 when unknown */
    char msg[256];      /* lower case, no final period, user data in '...' */
} ap_error;

/* Further errors of one input, after the first (which is in the ap_error): readers report
 * up to AP_MAX_ERRORS in all (the first and AP_MAX_ERRORS - 1 here), and count the rest. */
#define AP_MAX_ERRORS 20
typedef struct {
    ap_error items[AP_MAX_ERRORS - 1];
    size_t count;       /* entries used in items */
    size_t total;       /* every error found after the first, shown or not */
} ap_error_list;

/* Fill err (when not NULL) and return code. */
AP_EXPORT int ap_error_set(ap_error *err, ap_status code, const char *fmt, ...) AP_PRINTF(3, 4);
AP_EXPORT int ap_error_at(ap_error *err, ap_status code, const char *file, unsigned line,
                          unsigned col, const char *fmt, ...) AP_PRINTF(6, 7);
AP_EXPORT int ap_error_nomem(ap_error *err);
/* Append a copy of e to list (counting it even when the list is full). */
AP_EXPORT void ap_error_list_add(ap_error_list *list, const ap_error *e);

#endif
